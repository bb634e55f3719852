import assert from 'node:assert/strict';
import { Disposable, DisposableStore } from '../../../src/core/disposable';

function tracked(log: string[], name: string, fail = false) {
  return {
    dispose() {
      log.push(name);
      if (fail) throw new Error(`${name} failed`);
    },
  };
}

describe('DisposableStore and Disposable', () => {
  it('release what they hold once, last registered first', () => {
    const log: string[] = [];
    const store = new DisposableStore();
    store.add(tracked(log, 'a'));
    store.add(tracked(log, 'b'));
    store.dispose();
    store.dispose();
    assert.deepEqual(log, ['b', 'a']);
  });

  it('release at once what is registered after disposal', () => {
    const log: string[] = [];
    const store = new DisposableStore();
    store.dispose();
    store.add(tracked(log, 'late'));
    assert.deepEqual(log, ['late']);
  });

  it('release everything even when one fails, then report the failure', () => {
    const log: string[] = [];
    const store = new DisposableStore();
    store.add(tracked(log, 'a'));
    store.add(tracked(log, 'b', true));
    store.add(tracked(log, 'c'));
    assert.throws(() => store.dispose(), /b failed/);
    assert.deepEqual(log, ['c', 'b', 'a']);
  });

  it('a subclass registers in its constructor and is disposed once', () => {
    const log: string[] = [];
    class Owner extends Disposable {
      constructor() {
        super();
        this.register(tracked(log, 'listener'));
      }
    }
    const owner = new Owner();
    owner.dispose();
    owner.dispose();
    assert.deepEqual(log, ['listener']);
  });
});
