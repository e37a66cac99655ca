/**
 * Background jobs as QEMU 7.2 reports them (`query-jobs`, `job-dismiss`,
 * JOB_STATUS_CHANGE), for the snapshot commands. A snapshot job runs to its
 * end inside the command that starts it (the machine is paused meanwhile),
 * so the events of its whole life come with that command: created,
 * running, waiting, pending, concluded; it then waits for `job-dismiss`,
 * as QEMU's snapshot jobs do, and carries the error, if any.
 */
import { defineCommand, defineEvent, fail, type KernelContext, t } from '../../kernel/index.js';

/** The job kinds this plugin runs (QEMU's JobType values). */
export type JobType = 'snapshot-save' | 'snapshot-load' | 'snapshot-delete';

interface Job {
  readonly id: string;
  readonly type: JobType;
  status: 'concluded';
  error?: string;
}

const JobInfo = t.object(
  {
    id: t.str(),
    type: t.str('snapshot-save, snapshot-load or snapshot-delete'),
    status: t.str('concluded: the job has finished (with error when it failed) and waits for job-dismiss'),
    'current-progress': t.int(),
    'total-progress': t.int(),
    error: t.optional(t.str(), 'Why the job failed'),
  },
  { name: 'JobInfo' },
);

/** The jobs of one kernel, until dismissed. */
export class Jobs {
  private readonly jobs = new Map<string, Job>();

  /**
   * Runs `work` as job `id`, emitting each status change; the error `work`
   * throws becomes the job's (the command itself succeeds, as in QEMU).
   */
  async run(ctx: KernelContext, id: string, type: JobType, work: () => Promise<void>): Promise<void> {
    if (this.jobs.has(id)) fail(`Job ID '${id}' already in use`);
    const status = (s: string) => ctx.emit('JOB_STATUS_CHANGE', { id, status: s });
    status('created');
    status('running');
    let error: string | undefined;
    try {
      await work();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    status('waiting');
    status('pending');
    status('concluded');
    this.jobs.set(id, { id, type, status: 'concluded', ...(error !== undefined ? { error } : {}) });
    ctx.onRollback(() => void this.jobs.delete(id));
  }

  /** The commands over the jobs and their event. */
  declarations() {
    return {
      event: defineEvent({
        name: 'JOB_STATUS_CHANGE',
        data: t.object({ id: t.str(), status: t.str() }),
        doc: 'A job changed status (created, running, waiting, pending, concluded, null once dismissed)',
      }),
      commands: [
        defineCommand({
          name: 'query-jobs',
          args: t.empty(),
          returns: t.array(JobInfo),
          phases: 'any',
          kind: 'query',
          doc: 'The jobs not yet dismissed',
          example: '-> { "execute": "query-jobs" }\n<- { "return": [ { "id": "save0", "type": "snapshot-save", "status": "concluded", "current-progress": 1, "total-progress": 1 } ] }',
          handler: () =>
            [...this.jobs.values()].map((j) => ({
              id: j.id,
              type: j.type,
              status: j.status,
              'current-progress': 1,
              'total-progress': 1,
              ...(j.error !== undefined ? { error: j.error } : {}),
            })),
        }),
        defineCommand({
          name: 'job-dismiss',
          args: t.object({ id: t.str('The job') }),
          returns: t.empty(),
          phases: 'any',
          kind: 'change',
          effects: ['run-control'],
          doc: 'Forgets a concluded job, so its id may be used again',
          example: '-> { "execute": "job-dismiss", "arguments": { "id": "save0" } }\n<- { "return": {} }',
          handler: ({ id }, ctx) => {
            if (!this.jobs.has(id)) fail(`Job ID '${id}' not found`);
            const job = this.jobs.get(id)!;
            this.jobs.delete(id);
            ctx.onRollback(() => void this.jobs.set(id, job));
            ctx.emit('JOB_STATUS_CHANGE', { id, status: 'null' });
            return {};
          },
        }),
      ],
    };
  }
}
