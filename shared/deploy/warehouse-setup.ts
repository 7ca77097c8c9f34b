import type { MigrateResult } from '../warehouse-schema/migrations.ts';
import {
  respond,
  type CustomResourceRequest,
  type CustomResourceResponse,
} from './custom-resource.ts';

/**
 * The stack's Custom::WarehouseSchema: on Create and Update, the warehouse migrations (the
 * same `migrate` as `npm run migrate` and the local stack) and the files COPY needs; on
 * Delete, nothing. A stack operation never drops data: removing the stack keeps the schema
 * and its rows (docs/deploy.md says how to drop them by hand).
 */
export interface WarehouseSetupDeps {
  migrate(): Promise<MigrateResult>;
  /** Writes what COPY reads besides the data (the JSONPaths files); answers their URIs. */
  writeCopyFiles(): Promise<string[]>;
  /** Names the warehouse, e.g. "workgroup/analytics/dev": the resource's physical id. */
  warehouseId: string;
  /** Milliseconds left before the function times out (Lambda's getRemainingTimeInMillis). */
  remainingMs(): number;
}

export class SetupTimeoutError extends Error {
  constructor(ms: number) {
    super(`the warehouse did not finish within ${Math.round(ms / 1000)} s`);
    this.name = 'SetupTimeoutError';
  }
}

/** Margin kept to PUT the answer before Lambda ends the invocation (and the stack would hang). */
const ANSWER_MARGIN_MS = 15_000;

export async function setUpWarehouse(
  request: CustomResourceRequest,
  deps: WarehouseSetupDeps,
): Promise<CustomResourceResponse> {
  const physicalId = `warehouse-schema:${deps.warehouseId}`;
  if (request.RequestType === 'Delete')
    return respond(request, {
      status: 'SUCCESS',
      // The id CloudFormation knows; a failed Create may have answered none it kept.
      physicalId: request.PhysicalResourceId ?? physicalId,
    });
  try {
    const work = (async () => {
      const result = await deps.migrate();
      const copyFiles = await deps.writeCopyFiles();
      return { result, copyFiles };
    })();
    const budget = Math.max(deps.remainingMs() - ANSWER_MARGIN_MS, 1_000);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SetupTimeoutError(budget)), budget);
    });
    const { result, copyFiles } = await Promise.race([work, timeout]).finally(() =>
      clearTimeout(timer),
    );
    return respond(request, {
      status: 'SUCCESS',
      physicalId,
      data: {
        Applied: result.applied.join(',') || 'none',
        AlreadyApplied: result.skipped.join(',') || 'none',
        CopyFiles: copyFiles.join(',') || 'none',
      },
    });
  } catch (error: unknown) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return respond(request, {
      status: 'FAILED',
      // On a failed Create, CloudFormation deletes what it has: keep our id so the Delete
      // it sends is recognised (and answered as the no-op it is).
      physicalId: request.PhysicalResourceId ?? physicalId,
      reason: `warehouse migration failed on ${deps.warehouseId}: ${detail} (the function's log has every statement)`,
    });
  }
}
