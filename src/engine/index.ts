/**
 * The durable runtime's engine: workers, tools, retry timing and run planning.
 */
export { Worker, startEngineWorker, notifyWork } from './worker.js';
export type { WorkerOptions, WorkerNotice, CompiledWorkerOptions } from './options.js';
export { compileWorkerOptions } from './options.js';
export { retryDelay, retryPolicy } from './backoff.js';
export type { ToolRunner, ToolContext, ToolResult, ToolRegistry } from './tool.js';
export { noopTool } from './tool.js';
export { shellTool, NON_RETRYABLE_EXIT_CODES } from './shell-tool.js';
export { createMcpTool } from './mcp-tool.js';
export type { McpCaller } from './mcp-tool.js';
export { planRunSteps, specOfStep } from './plan-steps.js';
export type { PlannedSteps, RunnableNode } from './plan-steps.js';
export { artifactFile, storeArtifact } from './artifacts.js';
