import { timestampDate } from '@bufbuild/protobuf/wkt';
import { JobKind, JobSchema, JobState, ListJobsResponseSchema, TrainerService, type Job } from '@inception/proto';
import { connect } from '../clients.js';
import type { Command } from 'commander';
import { addressOption, messageJson, printMessageJson } from './output.js';

type TrainerClient = ReturnType<typeof trainerClient>;

function trainerClient(options: { trainer: string }) {
  return connect(TrainerService, options.trainer, { idempotentMethods: ['GetJob', 'ListJobs', 'WatchJob'] });
}

function stateName(state: JobState): string {
  return (JobState[state] ?? String(state)).toLowerCase();
}

/**
 * Describes how a cancelled job was stopped. The trainer cancels a job only on a CancelJob request,
 * and a running one stops at its next step, which may come after the last step it reported.
 */
function cancellationText(job: Job): string {
  if (job.lastStep) return `by request after step ${job.lastStep.step}`;
  if (!job.startedAt) return 'by request before it started';
  return 'by request while running';
}

/** Formats why a job ended early, for the end of its line: how it was cancelled, or its error. */
function endReasonText(job: Job): string {
  if (job.state === JobState.CANCELLED) return `  cancelled: ${cancellationText(job)}`;
  return job.error ? `  error: ${job.error}` : '';
}

/**
 * One line per job: id, kind, state, precision@1, for training and fine-tune jobs the last
 * step with its loss and the registered version, and why a job ended early.
 */
export function describeJobLine(job: Job): string {
  const kind = (JobKind[job.spec?.kind ?? 0] ?? '').toLowerCase().replace('_', '-');
  const training = job.spec?.kind !== JobKind.EVALUATE;
  let step = '';
  if (training) step = job.lastStep ? ` step ${job.lastStep.step} loss ${job.lastStep.totalLoss.toFixed(3)}` : ' no steps yet';
  const precision = job.eval ? ` precision@1 ${job.eval.precisionAt1.toFixed(4)}` : '';
  const model = job.modelVersion ? ` → ${job.modelVersion}` : '';
  return `${job.id}  ${kind.padEnd(9)} ${stateName(job.state).padEnd(9)}${step}${precision}${model}${endReasonText(job)}`.trimEnd();
}

/** Formats one labelled line of `jobs show`, with the values aligned in one column. */
function row(label: string, value: string): string {
  return `  ${label.padEnd(12)} ${value}`;
}

/**
 * Formats `jobs show`: the job line, then only the fields that apply to its kind. An evaluation
 * has no steps, learning rate, seed or checkpoint.
 */
export function describeJob(job: Job): string {
  const evaluation = job.spec?.kind === JobKind.EVALUATE;
  const lines = [describeJobLine(job)];
  lines.push(row('dataset', `${job.spec?.dataset?.name} v${job.spec?.dataset?.version}, shard set ${job.spec?.shardSetId}`));
  if (job.spec?.baseModelVersion) lines.push(row(evaluation ? 'model' : 'base model', `${job.spec.baseModelVersion} (${job.restoredTensors} tensors restored)`));
  lines.push(row('backend', job.backend || 'not started'));

  if (job.effectiveConfig) {
    const config = job.effectiveConfig;
    const architecture = `image size ${config.imageSize}, depth multiplier ${config.depthMultiplier}, batch ${config.batchSize}`;
    const training = `${config.maxSteps} steps, learning rate ${config.initialLearningRate}, seed ${config.seed}`;
    lines.push(row('config', evaluation ? architecture : `${architecture}, ${training}`));
  }
  if (!evaluation && job.checkpointPrefix) lines.push(row('checkpoint', job.checkpointPrefix));
  if (job.eval) lines.push(row('evaluation', `precision @ 1 = ${job.eval.precisionAt1.toFixed(4)} recall @ 5 = ${job.eval.recallAt5.toFixed(4)} [${job.eval.examples} examples]${job.evaluationKey ? ` (${job.evaluationKey})` : ''}`));
  for (const [label, time] of [['created', job.createdAt], ['started', job.startedAt], ['finished', job.finishedAt]] as const) {
    if (time) lines.push(row(label, timestampDate(time).toISOString()));
  }
  return lines.join('\n');
}

/** Adds `inception jobs list|show|watch|cancel`. */
export function registerJobCommands(program: Command): void {
  const jobs = program.command('jobs').description('training and evaluation jobs on the trainer').addOption(addressOption('trainer'));
  const parentOptions = () => jobs.opts<{ trainer: string }>();

  jobs.command('list').description('list every job, oldest first').option('--json', 'print JSON', false).action(async (options: { json: boolean }) => {
    const client = trainerClient(parentOptions());
    try {
      const response = await client.listJobs({});
      if (options.json) printMessageJson(ListJobsResponseSchema, response);
      else for (const job of response.jobs) console.log(describeJobLine(job));
    } finally {
      client.close();
    }
  });

  jobs.command('show <job-id>').description('show one job').option('--json', 'print JSON', false).action(async (jobId: string, options: { json: boolean }) => {
    const client = trainerClient(parentOptions());
    try {
      const { job } = await client.getJob({ jobId });
      if (options.json) printMessageJson(JobSchema, job!);
      else console.log(describeJob(job!));
    } finally {
      client.close();
    }
  });

  jobs.command('watch <job-id>').description('print step events until the job ends; exit status 1 unless it succeeds').option('--json', 'print the job as one line of JSON per event', false).action(async (jobId: string, options: { json: boolean }) => {
    const client = trainerClient(parentOptions());
    let last: Job | undefined;
    try {
      for await (const update of client.watchJob({ jobId })) {
        last = update.job!;
        if (options.json) console.log(JSON.stringify(messageJson(JobSchema, last)));
        else console.log(describeJobLine(last));
      }
    } finally {
      client.close();
    }
    if (last?.state !== JobState.SUCCEEDED) process.exitCode = 1;
  });

  jobs
    .command('cancel <job-id>')
    .summary('cancel a queued or running job')
    .description(
      'cancel a queued job, or ask a running one to stop at its next step. A job that has already ended is left as it is: ' +
        'the command says so and exits with status 0, as the job is not running either way. An unknown job id exits with status 1',
    )
    .option('--json', 'print JSON: the job and whether it had already ended', false)
    .action(async (jobId: string, options: { json: boolean }) => {
      const client = trainerClient(parentOptions());
      try {
        const outcome = await cancelJob(client, jobId);
        if (options.json) console.log(JSON.stringify({ alreadyEnded: outcome.alreadyEnded, job: messageJson(JobSchema, outcome.job) }, null, 2));
        else console.log(describeCancelOutcome(outcome));
      } finally {
        client.close();
      }
    });
}

interface CancelOutcome {
  job: Job;
  /** Whether the job had ended before the request, in which case nothing was changed. */
  alreadyEnded: boolean;
}

/**
 * Cancels a job unless it has already ended. The trainer's CancelJob returns an ended job
 * unchanged, so the state is read first to tell the two cases apart.
 */
async function cancelJob(client: TrainerClient, jobId: string): Promise<CancelOutcome> {
  const { job: before } = await client.getJob({ jobId });
  if (isEnded(before!.state)) return { job: before!, alreadyEnded: true };

  const { job } = await client.cancelJob({ jobId });
  // A job that ends between the two calls is also left as it ended.
  return { job: job!, alreadyEnded: job!.state !== JobState.CANCELLED && isEnded(job!.state) };
}

function isEnded(state: JobState): boolean {
  return state === JobState.SUCCEEDED || state === JobState.FAILED || state === JobState.CANCELLED;
}

function describeCancelOutcome({ job, alreadyEnded }: CancelOutcome): string {
  const state = stateName(job.state);
  if (alreadyEnded) return `job ${job.id} already ended as ${state}; nothing was cancelled`;
  if (job.state === JobState.CANCELLED) return `job ${job.id} cancelled`;
  return `job ${job.id} is ${state}; it stops at its next step (follow it with \`inception jobs watch ${job.id}\`)`;
}
