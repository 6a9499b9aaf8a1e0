"use client";

import { DEFAULT_EPOCHS, TRAINING_RECIPE_LABELS, TRAINING_RECIPES, type TrainingRecipe } from "@/ml/pipeline/training-recipes";
import type { TrainingParams } from "@/server/services/training/training-params";

interface Props {
  value: TrainingParams;
  onChange: (value: TrainingParams) => void;
  datasets: { source: string; description: string }[];
  confirmedLesions: number;
  idPrefix: string;
}

const numberOrNull = (text: string) => (text.trim() === "" ? null : Number(text));

/** The choices of a training run, shared by the launch form and the schedule form. */
export function TrainingParamsFields({ value, onChange, datasets, confirmedLesions, idPrefix }: Props) {
  const set = (patch: Partial<TrainingParams>) => onChange({ ...value, ...patch });
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <label className="text-sm" htmlFor={`${idPrefix}-dataset`}>
        Base data set
        <select
          id={`${idPrefix}-dataset`}
          value={value.baseDataset ?? ""}
          onChange={(event) => set({ baseDataset: event.target.value === "" ? null : event.target.value })}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
        >
          <option value="">None (clinic cases only)</option>
          {datasets.map((dataset) => (
            <option key={dataset.source} value={dataset.source}>
              {dataset.source} ({dataset.description})
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm" htmlFor={`${idPrefix}-recipe`}>
        Model
        <select
          id={`${idPrefix}-recipe`}
          value={value.recipe}
          // A new recipe brings its own default epoch count (a from-scratch CNN needs many more passes).
          onChange={(event) => {
            const recipe = event.target.value as TrainingRecipe;
            set({ recipe, epochs: DEFAULT_EPOCHS[recipe] });
          }}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
        >
          {TRAINING_RECIPES.map((recipe) => (
            <option key={recipe} value={recipe}>
              {TRAINING_RECIPE_LABELS[recipe]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2 self-end text-sm">
        <input type="checkbox" checked={value.includeClinicCases} onChange={(event) => set({ includeClinicCases: event.target.checked })} />
        Include the clinic&apos;s confirmed cases ({confirmedLesions} lesions)
      </label>
      <label className="text-sm" htmlFor={`${idPrefix}-epochs`}>
        Epochs
        <input
          id={`${idPrefix}-epochs`}
          type="number"
          min={1}
          max={200}
          value={value.epochs ?? ""}
          onChange={(event) => set({ epochs: numberOrNull(event.target.value) })}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
        />
      </label>
      <label className="text-sm" htmlFor={`${idPrefix}-budget`}>
        Time budget (minutes, optional)
        <input
          id={`${idPrefix}-budget`}
          type="number"
          min={1}
          value={value.timeBudgetMinutes ?? ""}
          onChange={(event) => set({ timeBudgetMinutes: numberOrNull(event.target.value) })}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
        />
      </label>
      <label className="text-sm" htmlFor={`${idPrefix}-sensitivity`}>
        Target sensitivity (%)
        <input
          id={`${idPrefix}-sensitivity`}
          type="number"
          min={80}
          max={99.5}
          step={0.5}
          value={Math.round(value.targetSensitivity * 1000) / 10}
          onChange={(event) => set({ targetSensitivity: Number(event.target.value) / 100 })}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
        />
      </label>
    </div>
  );
}
