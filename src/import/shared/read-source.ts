// Bytes and JSON from what callers pass importers: bytes as they are, or a URL (http(s): through
// fetch, file: through the platform's reader, which browser bundles replace with an error).
// Shared by the importers (ONNX, safetensors, Keras).
import { InvalidArgumentError } from "../../errors.js";
import { readFileUrl } from "../../runtime/platform.js";

export type BytesInput = Uint8Array | ArrayBuffer | ArrayBufferView | URL | string;

/** A URL from a URL or an absolute URL string (a relative one is resolved against `base`). */
export function toUrl(src: URL | string, what: string, base?: URL): URL {
  if (src instanceof URL) return src;
  try {
    return new URL(src, base);
  } catch {
    throw new InvalidArgumentError(
      `${what}: ${JSON.stringify(src)} is not an absolute URL; pass bytes, a URL, or a file path as a file: URL (pathToFileURL in Node)`,
    );
  }
}

export async function readBytes(src: BytesInput, what: string): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (src instanceof URL || typeof src === "string") return fetchBytes(toUrl(src, what), what);
  throw new InvalidArgumentError(`${what}: expected a Uint8Array, ArrayBuffer, URL or URL string, found ${src === null ? "null" : typeof src}`);
}

export async function fetchBytes(url: URL, what: string): Promise<Uint8Array> {
  if (url.protocol === "file:") {
    try {
      return await readFileUrl(url);
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw e;
      throw new InvalidArgumentError(`${what}: reading ${url.href} failed (${(e as Error).message})`);
    }
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new InvalidArgumentError(`${what}: fetching ${url.href} failed (${String(cause)})`);
  }
  if (!response.ok) throw new InvalidArgumentError(`${what}: fetching ${url.href} gave HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** JSON text → value, with a ModelFormatError-style message naming what it was. */
export function parseJson(text: string, what: string, Err: new (m: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Err(`${what}: not valid JSON (${(e as Error).message})`);
  }
}
