import type { ServerResponse } from 'node:http';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { startTracing } from '@sightglass/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import type { RequestRecorder, RouteEntry } from './request-recorder.js';
import { OwnServerSpan } from './server-span.js';
import { endTracedRequest } from './track.js';

const tracing = startTracing();
afterAll(() => tracing.stop());

describe('endTracedRequest', () => {
  it('ends our server span, and throws nothing, when recording the request fails', () => {
    const traced = new OwnServerSpan(tracing.startSpan('GET'), 'GET', '/ask', ROOT_CONTEXT);
    const failing = {
      exit: () => {
        throw new Error('recording failed');
      },
    } as unknown as RequestRecorder;
    const response = { statusCode: 200, headersSent: true } as ServerResponse;
    endTracedRequest(failing, {} as RouteEntry, 0, response, false, traced); // does not throw
    expect(tracing.finished('GET /ask').attributes['http.response.status_code']).toBe(200);
  });
});
