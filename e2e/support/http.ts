import { get } from '../../local/controlplane/health.js';

/** A plain HTTP GET with a deadline (the same one `kzero up` uses for health checks). */
export const httpGet = (url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> => get(url, { timeoutMs });
