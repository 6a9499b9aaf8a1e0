import { describe, expect, it } from "vitest";
import { modelInputBox } from "./model-input-box";

describe("modelInputBox", () => {
  it("puts a cover model's input on the image's centre square", () => {
    expect(modelInputBox("cover", 600, 450)).toEqual({ left: "12.5%", top: "0%", width: "75%", height: "100%" });
    expect(modelInputBox("cover", 400, 800)).toEqual({ left: "0%", top: "25%", width: "100%", height: "50%" });
  });

  it("spreads a fill model's input over the whole image", () => {
    expect(modelInputBox("fill", 600, 450)).toEqual({ left: "0%", top: "0%", width: "100%", height: "100%" });
  });
});
