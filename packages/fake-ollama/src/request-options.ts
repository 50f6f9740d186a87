/** The Go type of each option Ollama reads from `options` (api.Options and api.Runner on main). */
const OPTION_TYPES: Readonly<Record<string, 'integer' | 'float32' | 'boolean' | 'strings'>> = {
  num_keep: 'integer',
  seed: 'integer',
  num_predict: 'integer',
  top_k: 'integer',
  repeat_last_n: 'integer',
  num_ctx: 'integer',
  num_batch: 'integer',
  num_gpu: 'integer',
  main_gpu: 'integer',
  num_thread: 'integer',
  draft_num_predict: 'integer',
  top_p: 'float32',
  min_p: 'float32',
  typical_p: 'float32',
  temperature: 'float32',
  repeat_penalty: 'float32',
  presence_penalty: 'float32',
  frequency_penalty: 'float32',
  use_mmap: 'boolean',
  stop: 'strings',
};

/**
 * Checks `options` as Ollama's `Options.FromMap` does: an unknown option is ignored (Ollama logs a warning),
 * `null` leaves the default, a number is taken for an integer (truncated) or a float, and a value of the
 * wrong type fails with Ollama's words, e.g. `option "num_predict" must be of type integer`. Ollama answers
 * that with a 500 once the model is scheduled; the fake says it with a 400 before, since the request is
 * what is wrong. Returns the message, or `undefined` when the options are fine.
 */
export function requestOptionsError(options: Record<string, unknown> | undefined): string | undefined {
  for (const [key, value] of Object.entries(options ?? {})) {
    const type = OPTION_TYPES[key];
    if (type === undefined || value === null) continue;
    switch (type) {
      case 'integer':
      case 'float32':
        if (typeof value !== 'number') return `option ${JSON.stringify(key)} must be of type ${type}`;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return `option ${JSON.stringify(key)} must be of type boolean`;
        break;
      case 'strings':
        if (!Array.isArray(value)) return `option ${JSON.stringify(key)} must be of type array`;
        if (value.some((item) => typeof item !== 'string')) {
          return `option ${JSON.stringify(key)} must be of an array of strings`;
        }
        break;
    }
  }
  return undefined;
}
