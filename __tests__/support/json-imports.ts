/**
 * @actions/workflow-parser imports its JSON schemas without `with { type: 'json' }` (it is built for bundlers),
 * which Node refuses. This hook adds the attribute for .json files, so the real parser runs under plain Node.
 * Import this module before importing the parser.
 */
import { registerHooks } from 'node:module';

registerHooks({
  load(url, context, nextLoad) {
    if (url.endsWith('.json') && context.importAttributes.type === undefined) {
      return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
    }
    return nextLoad(url, context);
  },
});
