// Retiring one unretired submission with a reason (spec §9c).
import { preparedWrite } from '../../db/prepared.js';
import type { RetireReason } from '../../db/schema.js';

export const retireSubmission = preparedWrite((db, p: { id: number; reason: RetireReason }) =>
  db.updateTable('submissions').set({ retired: 1, retire_reason: p.reason, pullkey: '' }).where('id', '=', p.id).where('retired', '=', 0),
);
