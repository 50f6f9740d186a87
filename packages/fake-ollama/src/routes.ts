import {
  ADMIN_PREFIX,
  handleClearFaults,
  handleGetFaults,
  handleGetStats,
  handlePutFaults,
  handleResetStats,
} from './admin.js';
import { handleChat } from './chat.js';
import type { Handler } from './context.js';
import { handleEmbed, handleEmbeddings } from './embed.js';
import { handleGenerate } from './generate.js';
import {
  handleCopy,
  handleDelete,
  handlePs,
  handlePull,
  handleRoot,
  handleShow,
  handleTags,
  handleVersion,
} from './manage.js';

/** Handlers by path, then by method. */
export type RouteTable = ReadonlyMap<string, Readonly<Record<string, Handler>>>;

/** Ollama's native API, with the methods its router accepts (HEAD where Ollama registers it). */
const OLLAMA_ROUTES: ReadonlyArray<readonly [string, Record<string, Handler>]> = [
  ['/', { GET: handleRoot, HEAD: handleRoot }],
  ['/api/version', { GET: handleVersion, HEAD: handleVersion }],
  ['/api/tags', { GET: handleTags, HEAD: handleTags }],
  ['/api/ps', { GET: handlePs }],
  ['/api/show', { POST: handleShow }],
  ['/api/pull', { POST: handlePull }],
  ['/api/delete', { DELETE: handleDelete }],
  ['/api/copy', { POST: handleCopy }],
  ['/api/generate', { POST: handleGenerate }],
  ['/api/chat', { POST: handleChat }],
  ['/api/embed', { POST: handleEmbed }],
  ['/api/embeddings', { POST: handleEmbeddings }],
];

const ADMIN_ROUTES: ReadonlyArray<readonly [string, Record<string, Handler>]> = [
  [`${ADMIN_PREFIX}/faults`, { GET: handleGetFaults, PUT: handlePutFaults, DELETE: handleClearFaults }],
  [`${ADMIN_PREFIX}/stats`, { GET: handleGetStats, DELETE: handleResetStats }],
];

/** The routes a server serves: Ollama's, and the admin ones when asked for. */
export function routeTable(admin: boolean): RouteTable {
  return new Map(admin ? [...OLLAMA_ROUTES, ...ADMIN_ROUTES] : OLLAMA_ROUTES);
}
