import { readdirSync, readFileSync } from 'node:fs';
import { hashRawSync, type Options } from '@node-rs/argon2';
import { verifySync as bcryptVerifySync } from '@node-rs/bcrypt';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPool, HashPoolError } from './hash-pool.js';

// Cheap parameters so the suite stays fast; the algorithm is the real one.
const OPTIONS: Options = {
  algorithm: 2, // argon2id
  memoryCost: 64,
  timeCost: 1,
  parallelism: 1,
  outputLen: 32,
  salt: Buffer.from('0123456789abcdef'),
};

const pools: HashPool[] = [];
function pool(size: number, nice?: number): HashPool {
  const created = new HashPool({ size, ...(nice === undefined ? {} : { nice }) });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('HashPool', () => {
  it('derives exactly what the argon2 binding derives', async () => {
    const hashes = pool(2);
    const key = await hashes.argon2(Buffer.from('correct horse'), OPTIONS);
    expect(key).toEqual(hashRawSync(Buffer.from('correct horse'), OPTIONS));
  });

  it('hashes and checks bcrypt as the bcrypt binding does', async () => {
    const hashes = pool(2);
    const encoded = await hashes.bcryptHash(Buffer.from('correct horse'), 4);
    expect(encoded).toMatch(/^\$2b\$04\$/);
    expect(bcryptVerifySync('correct horse', encoded)).toBe(true);
    expect(await hashes.bcryptVerify(Buffer.from('correct horse'), encoded, 4)).toBe(true);
    expect(await hashes.bcryptVerify(Buffer.from('wrong horse'), encoded, 4)).toBe(false);
  });

  it('sends only the bytes of a Buffer that is a view of a larger one', async () => {
    const hashes = pool(1);
    const backing = Buffer.from('xxxxpasswordyyyy');
    const view = backing.subarray(4, 12);
    const salt = Buffer.from('..0123456789abcdef..').subarray(2, 18);
    const key = await hashes.argon2(view, { ...OPTIONS, salt });
    expect(key).toEqual(
      hashRawSync(Buffer.from('password'), { ...OPTIONS, salt: Buffer.from('0123456789abcdef') }),
    );
    // The caller's buffers are still theirs (copies were sent, not these).
    expect(backing.toString()).toBe('xxxxpasswordyyyy');
  });

  it('runs `size` hashes at once, one more waiting on each worker, the rest queued', async () => {
    const hashes = pool(2);
    expect(hashes.capacity).toBe(4);
    const jobs = Array.from({ length: 9 }, (_, i) => hashes.argon2(Buffer.from(`pw${i}`), OPTIONS));
    expect(hashes.active).toBe(2);
    expect(hashes.waiting).toBe(7);
    const keys = await Promise.all(jobs);
    keys.forEach((key, i) => {
      expect(key).toEqual(hashRawSync(Buffer.from(`pw${i}`), OPTIONS));
    });
    expect(hashes.active).toBe(0);
    expect(hashes.waiting).toBe(0);
  });

  it('holds no job behind a long one, nor a long one behind another', async () => {
    const hashes = pool(2);
    const finished: string[] = [];
    const track = (name: string, job: Promise<unknown>) =>
      job.then(() => {
        finished.push(name);
      });
    // 64 MiB x 10 passes: an imported hash's cost, past the pool's "long" line.
    const long = track(
      'long',
      hashes.argon2(Buffer.from('imported'), { ...OPTIONS, memoryCost: 65536, timeCost: 10 }),
    );
    const short = [1, 2, 3].map((n) => track(`short ${n}`, hashes.argon2(Buffer.from(`pw${n}`), OPTIONS)));
    // The long job runs alone on one worker; the short ones share the other (one running, one
    // held, one queued here) instead of one of them waiting out the long hash.
    expect(hashes.active).toBe(2);
    expect(hashes.waiting).toBe(2);
    expect(hashes.queued).toBe(1);
    await Promise.all([long, ...short]);
    expect(finished).toEqual(['short 1', 'short 2', 'short 3', 'long']);
  });

  it('rejects a job argon2 refuses and goes on with the next', async () => {
    const hashes = pool(1);
    const refused = hashes.argon2(Buffer.from('pw'), { ...OPTIONS, salt: Buffer.from('short') });
    const next = hashes.argon2(Buffer.from('pw'), OPTIONS);
    await expect(refused).rejects.toThrow();
    expect(await next).toEqual(hashRawSync(Buffer.from('pw'), OPTIONS));
  });

  it('fails the job a dying worker ran and gives the one it held to a new worker', async () => {
    const hashes = new HashPool({
      size: 1,
      workerUrl: new URL('./testing/dying-hash-worker.js', import.meta.url),
    });
    pools.push(hashes);
    const fatal = hashes.argon2(Buffer.from('die'), OPTIONS).then(
      () => 'answered',
      (error: unknown) => error,
    );
    const held = hashes.argon2(Buffer.from('pw'), OPTIONS).then(
      (key) => key,
      (error: unknown) => error,
    );
    expect(hashes.waiting).toBe(1);
    expect(await fatal).toBeInstanceOf(HashPoolError);
    expect(await held).toEqual(hashRawSync(Buffer.from('pw'), OPTIONS));
    expect(hashes.active).toBe(0);
  });

  it('rejects what is pending and what comes after close with HashPoolError', async () => {
    const hashes = new HashPool({ size: 1 });
    // Outcomes are taken at once: the jobs reject inside close(), before any await below.
    const outcomes = Array.from({ length: 3 }, () =>
      hashes.argon2(Buffer.from('pw'), { ...OPTIONS, memoryCost: 8192 }).then(
        () => 'derived',
        (error: unknown) => error,
      ),
    );
    await hashes.close();
    for (const outcome of await Promise.all(outcomes)) expect(outcome).toBeInstanceOf(HashPoolError);
    await expect(hashes.argon2(Buffer.from('pw'), OPTIONS)).rejects.toBeInstanceOf(HashPoolError);
  });

  it.runIf(process.platform === 'linux')('lowers the priority of its worker threads only', async () => {
    const niceOf = () =>
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        // Field 19 is the nice value; fields are counted after the command name's closing paren.
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const mainNice = () => {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const mainBefore = mainNice();
    const target = mainBefore + 7;
    const before = niceOf().filter((nice) => nice === target).length;
    const hashes = pool(2, 7);
    await Promise.all([hashes.argon2(Buffer.from('a'), OPTIONS), hashes.argon2(Buffer.from('b'), OPTIONS)]);
    expect(niceOf().filter((nice) => nice === target).length).toBe(before + 2);
    expect(mainNice()).toBe(mainBefore);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new HashPool({ size: 0 })).toThrow(RangeError);
    expect(() => new HashPool({ size: 1.5 })).toThrow(RangeError);
  });
});
