// An audit sink that keeps entries in memory, for tests that read what an action recorded.
import type { AuditInput, AuditSink } from '../../src/plan/audit.js';

export class MemoryAudit implements AuditSink {
  readonly entries: AuditInput[] = [];
  async record(entry: AuditInput): Promise<void> {
    this.entries.push(entry);
  }
}
