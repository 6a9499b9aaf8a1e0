/**
 * Public dermoscopy data sets carry no patient identity, but DermFlag's model hangs every lesion off a patient. Each
 * imported lesion therefore gets its own research patient, recognisable as such from its MRN and name, with only
 * what the data set says: sex, and a birth date approximated from the age at diagnosis. Fitzpatrick type is never
 * in these data sets and stays null.
 *
 * Identifiers are namespaced by data set ("HAM:HAM_0000118", MRN "HAM-HAM_0000118"): the data sets overlap (1,437
 * isic2019-180 images are also DermaMNIST images, at another resolution), and the same id in two data sets must not
 * collide on the unique externalId columns or merge two copies of a photograph into one lesion.
 */
import type { Sex } from "@/server/db/generated/client";

export function namespacedId(datasetCode: string, id: string): string {
  return `${datasetCode}:${id}`;
}

/** The data set's own id inside a namespaced one: "HAM:HAM_0000118" -> "HAM_0000118" (an id without a namespace as is). */
export function sourceIdOf(externalId: string): string {
  return externalId.slice(externalId.indexOf(":") + 1);
}

export function researchMrn(datasetCode: string, lesionId: string): string {
  return `${datasetCode}-${lesionId}`;
}

export function researchPatientName(datasetName: string, lesionId: string): string {
  return `Research subject ${lesionId} (${datasetName})`;
}

/** HAM10000 writes "male", "female" or "unknown". */
export function sexFromDataset(value: string | null): Sex {
  const normalised = value?.trim().toLowerCase();
  if (normalised === "male") return "MALE";
  if (normalised === "female") return "FEMALE";
  return "UNKNOWN";
}

/**
 * 1 July of (referenceYear - age). HAM10000 gives age at diagnosis rounded to 5 years and no capture dates, and its
 * images were collected over some 20 years before publication: with referenceYear = the publication year, the
 * estimate is the latest plausible birth year, and the true one can be up to about 20 years earlier. For grouping by
 * age band only; never clinical use.
 */
export function approximateBirthDate(age: number | null, referenceYear: number): Date | null {
  if (age === null) return null;
  return new Date(Date.UTC(referenceYear - Math.round(age), 6, 1));
}

/** HAM10000 was published on 14 August 2018 (Tschandl et al., Sci Data 5:180161): its outcomes predate it. */
export const HAM10000_PUBLICATION_DATE = new Date(Date.UTC(2018, 7, 14));
export const HAM10000_PUBLICATION_YEAR = 2018;
