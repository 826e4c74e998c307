import { fromJson, toJson } from '@bufbuild/protobuf';
import { JobSchema, type Job } from '@inception/proto';
import { layout, type ObjectStore } from '@inception/storage';

/** Jobs as `runs/<job-id>/job.json` (the Job message in protobuf JSON form); the bucket is the queue. */
export class JobRepository {
  constructor(private readonly store: ObjectStore) {}

  async save(job: Job): Promise<void> {
    await this.store.putJson(layout.runJob(job.id), toJson(JobSchema, job));
  }

  async get(jobId: string): Promise<Job | undefined> {
    if (!(await this.store.exists(layout.runJob(jobId)))) return undefined;
    return fromJson(JobSchema, await this.store.getJson(layout.runJob(jobId)), { ignoreUnknownFields: true });
  }

  /** Every job, oldest first (job ids start with a sortable timestamp). */
  async list(): Promise<Job[]> {
    const jobs: Job[] = [];
    for (const prefix of await this.store.listPrefixes(layout.runsRoot())) {
      const jobId = prefix.slice(layout.runsRoot().length).replace(/\/$/, '');
      const job = await this.get(jobId);
      if (job) jobs.push(job);
    }
    return jobs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Appends one event line to `runs/<job-id>/events.jsonl` by rewriting it (S3 has no append). */
  async appendEvents(jobId: string, lines: string[]): Promise<void> {
    const key = layout.runEvents(jobId);
    const existing = (await this.store.exists(key)) ? (await this.store.getBytes(key)).toString('utf8') : '';
    await this.store.put(key, existing + lines.map((line) => `${line}\n`).join(''), 'application/x-ndjson');
  }
}
