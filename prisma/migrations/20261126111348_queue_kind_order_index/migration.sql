-- CreateIndex
CREATE INDEX "Flag_status_kind_biopsyPlanned_pMalignant_id_idx" ON "Flag"("status", "kind", "biopsyPlanned" DESC, "pMalignant" DESC, "id" DESC);
