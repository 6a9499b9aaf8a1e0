"use client";

/* eslint-disable @next/next/no-img-element -- thumbnails come from the session-checked image route. */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, type DragEvent } from "react";
import { imageUrl } from "@/server/http/image-url";
import type { UploadResult } from "@/server/http/upload-lesion-image";
import { UPLOAD_OUTCOME_DISPLAY, uploadOutcome } from "./upload-outcome";

/** Two at a time: keeps the page responsive and the server's image decoding from queueing up behind one user. */
const CONCURRENT_UPLOADS = 2;
const ACCEPT = "image/jpeg,image/png,image/bmp,image/tiff,.jpg,.jpeg,.png,.bmp,.tif,.tiff";

type Phase = "waiting" | "sending" | "checking" | "done";

interface UploadItem {
  key: number;
  name: string;
  size: number;
  phase: Phase;
  /** 0..1 of the bytes sent. */
  sent: number;
  result?: UploadResult;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** One file, one request; XMLHttpRequest because fetch() reports no upload progress. */
function sendFile(url: string, file: File, onSent: (fraction: number) => void): Promise<UploadResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onSent(event.loaded / event.total);
    };
    xhr.upload.onload = () => onSent(1);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: a proxy or the server failed before the route answered.
      }
      if (body && typeof body === "object" && "status" in body && typeof body.status === "string") {
        resolve(body as UploadResult);
      } else if (xhr.status === 401) {
        resolve({ status: "error", message: "Your session has ended: sign in again, then upload." });
      } else {
        resolve({ status: "error", message: `The server answered ${xhr.status}. Try again.` });
      }
    };
    xhr.onerror = () => resolve({ status: "error", message: "The upload failed: check the connection and try again." });
    xhr.send(file);
  });
}

function ResultLine({ item, lesionId }: { item: UploadItem; lesionId: string }) {
  const { result } = item;
  if (!result) {
    if (item.phase === "checking") return <span className="text-slate-600">Sent; checking the image…</span>;
    return <span className="text-slate-600">{item.phase === "waiting" ? "Waiting…" : `Sending… ${Math.round(item.sent * 100)}%`}</span>;
  }
  switch (result.status) {
    case "created":
      return (
        <span className="flex items-center gap-2 text-emerald-800">
          <img src={imageUrl(result.image.id, "thumbnail")} alt={`Thumbnail of ${item.name}`} className="h-10 w-auto rounded" />
          Stored ({result.image.width}×{result.image.height} px).
        </span>
      );
    case "duplicate":
      return result.sameLesion || result.existingLesionId === lesionId ? (
        <span className="text-amber-800">Duplicate: this picture is already stored on this lesion. Nothing was added.</span>
      ) : (
        <span className="text-amber-800">
          Duplicate of an existing image on{" "}
          <Link href={`/lesions/${result.existingLesionId}`} className="underline">
            another lesion
          </Link>
          . Nothing was added.
        </span>
      );
    case "rejected":
      return <span className="text-red-700">Rejected: {result.reason}</span>;
    case "error":
      return <span className="text-red-700">Not uploaded: {result.message}</span>;
  }
}

/** While it travels, a progress bar; once answered, a bar in the outcome's colour with its word (Failed in red). */
function UploadBar({ item }: { item: UploadItem }) {
  if (!item.result) return <progress value={item.sent} max={1} aria-label={`Upload progress of ${item.name}`} className="h-2 w-full" />;
  const display = UPLOAD_OUTCOME_DISPLAY[uploadOutcome(item.result)];
  return (
    <span className={`flex items-center gap-2 text-xs font-medium ${display.textClass}`}>
      <span className={`h-2 flex-1 rounded ${display.barClass}`} aria-hidden="true" />
      {display.label}
    </span>
  );
}

export function ImageUpload({ lesionId }: { lesionId: string }) {
  const router = useRouter();
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const nextKey = useRef(0);
  const url = `/api/lesions/${encodeURIComponent(lesionId)}/images`;

  const patch = (key: number, change: Partial<UploadItem>) =>
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...change } : item)));

  async function uploadAll(files: File[]) {
    if (files.length === 0) return;
    const batch = files.map((file) => ({ file, key: nextKey.current++ }));
    setItems((current) => [...batch.map(({ file, key }) => ({ key, name: file.name, size: file.size, phase: "waiting" as const, sent: 0 })), ...current]);
    let stored = 0;
    const queue = [...batch];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { file, key } = next;
        patch(key, { phase: "sending" });
        const result = await sendFile(url, file, (sent) => patch(key, sent >= 1 ? { sent, phase: "checking" } : { sent }));
        if (result.status === "created") stored += 1;
        patch(key, { phase: "done", sent: 1, result });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_UPLOADS, batch.length) }, worker));
    // Show the new images in the timeline above.
    if (stored > 0) router.refresh();
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    void uploadAll(Array.from(event.dataTransfer.files));
  }

  return (
    <div>
      <div
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`rounded-xl border-2 border-dashed p-6 text-center ${dragging ? "border-sky-600 bg-sky-50" : "border-slate-300 bg-white"}`}
      >
        <p className="text-slate-700">Drop dermoscopic images here (JPEG, PNG, BMP or TIFF), or</p>
        <label className="mt-2 inline-block cursor-pointer rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-sky-700">
          Choose images
          <input
            type="file"
            multiple
            accept={ACCEPT}
            className="sr-only"
            onChange={(event) => {
              const files = Array.from(event.target.files ?? []);
              // Cleared so that choosing the same file again uploads it again.
              event.target.value = "";
              void uploadAll(files);
            }}
          />
        </label>
        <p className="mt-2 text-xs text-slate-500">Metadata (GPS, camera serials) is removed; the capture date is kept for the timeline.</p>
      </div>

      {items.length ? (
        <ul className="mt-3 divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Uploads" aria-live="polite" data-testid="upload-list">
          {items.map((item) => (
            <li key={item.key} className="grid gap-1 px-4 py-2 text-sm sm:grid-cols-[minmax(0,14rem)_8rem_1fr] sm:items-center" data-testid="upload-item">
              <span className="truncate font-medium" title={item.name}>
                {item.name} <span className="font-normal text-slate-500">({formatSize(item.size)})</span>
              </span>
              <UploadBar item={item} />
              <ResultLine item={item} lesionId={lesionId} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
