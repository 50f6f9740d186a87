import { describe, expect, it } from 'vitest';
import { compileRoutes, methodLabel, pathOf } from './route.js';

describe('labels', () => {
  it('keeps standard methods and folds the rest into _OTHER', () => {
    expect(['GET', 'PATCH', 'PROPFIND', undefined, 'get'].map(methodLabel)).toEqual([
      'GET',
      'PATCH',
      '_OTHER',
      '_OTHER',
      '_OTHER',
    ]);
  });

  it('matches route templates, first match first, and never returns the raw path', () => {
    const routes = compileRoutes(['/v1/chat', '/users/:id', '/users/:id/posts/:post', '/static/*', '/a.b']);
    expect(routes.match('/v1/chat')).toBe('/v1/chat');
    expect(routes.match('/v1/chat/')).toBe('/v1/chat');
    expect(routes.match('/users/42')).toBe('/users/:id');
    expect(routes.match('/users/42/posts/7')).toBe('/users/:id/posts/:post');
    expect(routes.match('/static/css/site.css')).toBe('/static/*');
    expect(routes.match('/aXb')).toBeUndefined();
    expect(routes.match('/users')).toBeUndefined();
    expect(routes.match('/users/')).toBeUndefined(); // a parameter is never empty
    expect(routes.match('/users/42/posts')).toBeUndefined();
    expect(routes.match('/v1/chatty')).toBeUndefined();
    expect(routes.match('/v1')).toBeUndefined();
  });

  it('matches a wildcard before the last segment, and the root', () => {
    const routes = compileRoutes(['/files/*/raw', '/']);
    expect(routes.match('/files/a/b/raw')).toBe('/files/*/raw');
    expect(routes.match('/files/a/b')).toBeUndefined();
    expect(routes.match('/')).toBe('/');
    expect(routes.match('/x')).toBeUndefined();
  });

  it('matches a request URL by its path, whatever its query holds', () => {
    const routes = compileRoutes(['/v1/chat', '/users/:id', '/static/*', '/files/*/raw']);
    expect(routes.match('/v1/chat?stream=true')).toBe('/v1/chat');
    expect(routes.match('/v1/chat/?')).toBe('/v1/chat');
    expect(routes.match('/users/42?tab=posts/1')).toBe('/users/:id');
    expect(routes.match('/users/?id=42')).toBeUndefined();
    expect(routes.match('/v1/chatty?x')).toBeUndefined();
    expect(routes.match('/static/a.css?v=2')).toBe('/static/*');
    expect(routes.match('/files/x?next=/raw')).toBeUndefined(); // the query is not the path
  });

  it('takes the path without its query', () => {
    expect([pathOf('/a?b=1'), pathOf('/a'), pathOf(undefined)]).toEqual(['/a', '/a', '/']);
  });
});
