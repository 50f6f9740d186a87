import { ErrorCode, SightglassError } from '@sightglass/core';

/** Where Ollama listens when neither `host` nor `OLLAMA_HOST` says otherwise. */
export const DEFAULT_HOST = 'http://127.0.0.1:11434';
const DEFAULT_PORT = '11434';

/** A parsed host: the origin the pool connects to, the path prefix before `/api`, and the semconv labels. */
export interface ParsedHost {
  /** `http://host:port`, what the undici Pool is built for. */
  origin: string;
  /** A path the server is mounted under (a reverse proxy), without trailing slash; usually empty. */
  basePath: string;
  /** `Authorization: Basic …` from `user:pass@` in the URL, if present (undici does not apply it). */
  authorization: string | undefined;
  /** `server.address` */
  address: string;
  /** `server.port` */
  port: number;
}

/**
 * Parses a host the way the `ollama` package's `formatHost` does, so the same strings work: `host:port`
 * without a scheme, `:port`, a bare host (port 11434), or a full URL (its scheme's default port).
 *
 * @throws SightglassError `ERR_SIGHTGLASS_INVALID_URL` for a string that is not a URL or not http(s).
 */
export function parseHost(host: string | undefined): ParsedHost {
  let text = host === undefined || host.trim() === '' ? DEFAULT_HOST : host.trim();
  let explicitScheme = text.includes('://');
  if (text.startsWith(':')) {
    text = `http://127.0.0.1${text}`;
    explicitScheme = true;
  }
  if (!explicitScheme) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new SightglassError(ErrorCode.INVALID_URL, `Ollama host ${JSON.stringify(host)} is not a URL`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SightglassError(
      ErrorCode.INVALID_URL,
      `Ollama host must be http or https, got ${JSON.stringify(url.protocol)}`,
    );
  }
  // Like formatHost: no scheme given means Ollama's port; a scheme given means that scheme's port.
  const port = url.port || (explicitScheme ? (url.protocol === 'https:' ? '443' : '80') : DEFAULT_PORT);
  const authorization =
    url.username === ''
      ? undefined
      : `Basic ${Buffer.from(
          `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
        ).toString('base64')}`;
  const address = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    origin: `${url.protocol}//${url.hostname}:${port}`,
    basePath: url.pathname.replace(/\/+$/, ''),
    authorization,
    address,
    port: Number(port),
  };
}

/** The host from the option, else from `OLLAMA_HOST`, else the default. */
export function resolveHost(host: string | undefined, env: NodeJS.ProcessEnv = process.env): ParsedHost {
  return parseHost(host ?? env.OLLAMA_HOST);
}
