import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * Encodes an image as the `ollama` package does in Node: bytes become base64, a string naming an existing
 * file is read and encoded, any other string is taken to be base64 already.
 */
export async function encodeImage(image: Uint8Array | string): Promise<string> {
  if (typeof image !== 'string') return Buffer.from(image).toString('base64');
  try {
    if (existsSync(image)) return (await readFile(resolve(image))).toString('base64');
  } catch {
    // not a readable path: treat it as base64, as the official client does
  }
  return image;
}

/** Encodes a list of images; `undefined` stays `undefined`. */
export async function encodeImages(
  images: Uint8Array[] | string[] | undefined,
): Promise<string[] | undefined> {
  return images === undefined
    ? undefined
    : Promise.all((images as Array<Uint8Array | string>).map(encodeImage));
}
