/** A transaction Bundle POSTed to the FHIR base, as integration engines send it: the same import as /api/fhir/Bundle. */
export { POST } from "./Bundle/route";
