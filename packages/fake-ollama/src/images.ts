/**
 * Prompt tokens an image adds on a vision model (Gemma 3 encodes each image as 256 tokens). Models without
 * the `vision` capability take images and ignore them, as Ollama's runner does for a text-only model.
 */
export const IMAGE_TOKENS = 256;

const goType = (value: unknown): string =>
  Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;

/**
 * Go's decoder error for an `images` field that does not decode (Ollama's `[]api.ImageData` is `[]byte`,
 * so each image is standard, padded base64), or `undefined` when it does. `field` is where Go says the
 * field sits, e.g. `GenerateRequest.images` or `Message.messages.images`.
 */
export function imagesError(images: unknown, field: string): string | undefined {
  if (images === undefined || images === null) return undefined;
  if (!Array.isArray(images)) {
    return `json: cannot unmarshal ${goType(images)} into Go struct field ${field} of type []api.ImageData`;
  }
  for (const image of images) {
    if (image === null) continue;
    if (typeof image !== 'string') {
      return `json: cannot unmarshal ${goType(image)} into Go struct field ${field} of type api.ImageData`;
    }
    const offset = base64ErrorOffset(image);
    if (offset !== undefined) return `illegal base64 data at input byte ${offset}`;
  }
  return undefined;
}

/** Where Go's `base64.StdEncoding` gives up on `text` (line breaks are skipped), or `undefined`. */
function base64ErrorOffset(text: string): number | undefined {
  let inQuantum = 0;
  let quantumStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') continue;
    if (inQuantum === 0) quantumStart = i;
    if (c === '=') {
      const rest = text.slice(i).replace(/[\r\n]/g, '');
      const valid = (inQuantum === 2 && rest === '==') || (inQuantum === 3 && rest === '=');
      return valid ? undefined : i;
    }
    if (!/[A-Za-z0-9+/]/.test(c)) return i;
    inQuantum = (inQuantum + 1) % 4;
  }
  return inQuantum === 0 ? undefined : quantumStart;
}
