/** Local stand-in for Knative's helloworld-go sample: greets $TARGET on every path. */
import { reply, serve } from './serve.js';

serve('helloworld', (_req, res) => {
  // Read per request like the Go sample; empty counts as unset.
  const target = process.env.TARGET || 'World';
  reply(res, 200, `Hello ${target}!\n`);
});
