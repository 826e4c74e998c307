import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Trainer metrics for the Grafana training dashboard; `job` labels are bounded by the one running job. */
export function trainerMetrics(registry: Registry) {
  return {
    loss: new Gauge({ name: 'inception_trainer_loss', help: 'Latest training loss by part: total, main, aux, regularization.', labelNames: ['training_job', 'part'], registers: [registry] }),
    learningRate: new Gauge({ name: 'inception_trainer_learning_rate', help: 'Learning rate of the latest step.', labelNames: ['training_job'], registers: [registry] }),
    step: new Gauge({ name: 'inception_trainer_global_step', help: 'Global step of the running job.', labelNames: ['training_job'], registers: [registry] }),
    epoch: new Gauge({ name: 'inception_trainer_epoch', help: 'Epochs of training data consumed by the running job.', labelNames: ['training_job'], registers: [registry] }),
    steps: new Counter({ name: 'inception_trainer_steps_total', help: 'Training steps run by this process.', registers: [registry] }),
    examplesPerSecond: new Gauge({ name: 'inception_trainer_examples_per_second', help: 'Training examples per second of the latest step.', labelNames: ['training_job'], registers: [registry] }),
    stepSeconds: new Histogram({
      name: 'inception_trainer_step_duration_seconds',
      help: 'Wall time of one training step, input wait included.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers: [registry],
    }),
    inputWaitSeconds: new Histogram({
      name: 'inception_trainer_input_wait_seconds',
      help: 'Time a step waited for its batch from the input pipeline.',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    inputQueueFill: new Gauge({
      name: 'inception_trainer_input_queue_fill_ratio',
      help: 'Prepared training batches waiting in the input queue divided by its capacity, sampled when a step takes its batch. Near 0 means the device waits for preprocessing.',
      registers: [registry],
    }),
    tensors: new Gauge({ name: 'inception_trainer_tensors', help: 'Live TensorFlow.js tensors (tf.memory().numTensors).', registers: [registry] }),
    memoryBytes: new Gauge({ name: 'inception_trainer_backend_memory_bytes', help: 'Bytes held by TensorFlow.js tensors on the backend.', registers: [registry] }),
    backend: new Gauge({ name: 'inception_trainer_backend_info', help: 'The TensorFlow.js backend in use (value 1).', labelNames: ['backend'], registers: [registry] }),
    jobs: new Gauge({ name: 'inception_trainer_jobs', help: 'Jobs known to the trainer by state.', labelNames: ['state'], registers: [registry] }),
    checkpointSeconds: new Histogram({
      name: 'inception_trainer_checkpoint_duration_seconds',
      help: 'Time to write one checkpoint.',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    checkpointBytes: new Counter({ name: 'inception_trainer_checkpoint_bytes_total', help: 'Bytes of checkpoints written.', registers: [registry] }),
    precisionAt1: new Gauge({ name: 'inception_trainer_eval_precision_at_1', help: 'Precision @ 1 of the latest evaluation.', labelNames: ['training_job'], registers: [registry] }),
    recallAt5: new Gauge({ name: 'inception_trainer_eval_recall_at_5', help: 'Recall @ 5 of the latest evaluation.', labelNames: ['training_job'], registers: [registry] }),
  };
}

export type TrainerMetrics = ReturnType<typeof trainerMetrics>;
