import type { ReceiptContext } from '../event-contract/validate.ts';
import { NotFoundError } from '../runtime/errors.ts';
import type { HttpResponse } from '../runtime/http-responses.ts';
import { ingestAnswer } from './ingest-answer.ts';
import {
  assertWriteKey,
  writeKeyFromAuthorization,
  writeKeyFromBody,
  writeKeyFromQuery,
  type WriteKeys,
} from './write-keys.ts';
import { readJsonBody } from './request-body.ts';
import { ingestMessages, type IngestDeps, type IngestResult } from './write-events.ts';
import { messagesOf } from './read-messages.ts';
import { findRoute } from './routes.ts';

/** An HTTP request, as the ingest domain needs it (headers lower-cased). */
export interface IngestHttpRequest {
  path: string;
  /** The query string as API Gateway's rawQueryString gives it (without the '?'). */
  query?: string;
  headers: Record<string, string | undefined>;
  body: string | undefined;
  isBase64Encoded: boolean;
  sourceIp?: string;
  receivedAtMs: number;
}

export interface IngestUseCaseDeps extends IngestDeps {
  writeKeys: WriteKeys;
  /** Told of every request that reached the stream, for logs and metrics. */
  onResult?: (result: IngestResult) => void;
}

/** From an HTTP request to its answer: route, auth, body, validation, write. */
export async function handleIngestRequest(
  request: IngestHttpRequest,
  deps: IngestUseCaseDeps,
): Promise<HttpResponse> {
  const route = findRoute(request.path);
  if (!route) throw new NotFoundError(`no ingest route at ${request.path}`);

  // A key in the header (or the query, for beacons) is checked before the body is read;
  // otherwise it must be in the body.
  const headerKey =
    writeKeyFromAuthorization(request.headers.authorization) ?? writeKeyFromQuery(request.query);
  if (headerKey !== undefined) assertWriteKey(deps.writeKeys, headerKey);
  const { value: body } = readJsonBody(
    {
      body: request.body,
      isBase64Encoded: request.isBase64Encoded,
      contentType: request.headers['content-type'],
      contentEncoding: request.headers['content-encoding'],
    },
    route.maxBodyBytes,
  );
  if (headerKey === undefined) assertWriteKey(deps.writeKeys, writeKeyFromBody(body));

  const receipt: ReceiptContext = {
    receivedAtMs: request.receivedAtMs,
    sourceIp: request.sourceIp,
  };
  const messages = messagesOf(route, body);
  if (messages.batch) receipt.batch = messages.batch;

  const result = await ingestMessages(messages, receipt, deps);
  deps.onResult?.(result);
  return ingestAnswer(result);
}
