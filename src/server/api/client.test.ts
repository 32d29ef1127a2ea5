// The typed HTTP client (src/client) against the real server: its types are the ones the server's OpenAPI document
// generates today (so the committed file cannot drift from the routes), and its calls reach the routes as typed.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TYPES, clientTypesSource, serverOpenApi } from '../../../scripts/gen-client.js';
import { PromptuneApiError, createPromptuneClient, unwrap } from '../../client/index.js';
import { testServer, tinyClassifierDir } from '../testing.js';

let server: Awaited<ReturnType<typeof testServer>>;
let key: string;

beforeAll(async () => {
  server = await testServer([{ name: 'reviews', dir: tinyClassifierDir('classification', 3) }]);
  key = (await server.store.apiKeys.create({ name: 'crm', scopes: ['predict', 'feedback'], ratePerMinute: null })).secret;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await server?.store.close();
});

describe('the typed HTTP client', () => {
  it('is generated from the OpenAPI document the server answers with today (regenerate: npm run gen:client)', async () => {
    expect(readFileSync(CLIENT_TYPES, 'utf8')).toBe(await clientTypesSource(await serverOpenApi()));
  }, 60_000);

  it('predicts, lists models and sends feedback through typed calls', async () => {
    const api = createPromptuneClient({ baseUrl: `${server.url}/`, apiKey: key });
    const answer = unwrap(await api.POST('/v1/predict', { body: { text: 'The tea was lovely.' } }));
    expect(answer.model.name).toBe('reviews');
    expect(['great', 'other']).toContain(answer.prediction?.label);
    const models = unwrap(await api.GET('/v1/models'));
    expect(JSON.stringify(models)).toContain('reviews');
    const id = answer.prediction?.id;
    expect(typeof id).toBe('string');
    const fed = await api.POST('/v1/feedback', { body: { predictionId: id as string, correctLabel: 'great' } });
    expect(fed.response.status, JSON.stringify(fed.error)).toBeLessThan(300);
  });

  it('turns a refused call into a PromptuneApiError with the server code and message', async () => {
    const anonymous = createPromptuneClient({ baseUrl: server.url });
    const refused = await anonymous.POST('/v1/predict', { body: { text: 'The tea was lovely.' } });
    const error = (() => {
      try {
        unwrap(refused);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PromptuneApiError);
    expect(error).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect((error as Error).message).toContain('Authorization: Bearer');
  });
});
