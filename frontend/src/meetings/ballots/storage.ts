// Keeps a guardian's secret and key share on this tablet, keyed by meeting, in IndexedDB
// (falling back to localStorage where IndexedDB is unavailable). They never leave it.
import type { GuardianSecret, GuardianShare } from './ceremony';

const DB = 'ecabinet-guardian';
const STORE = 'keys';

export interface StoredGuardian {
  secret: GuardianSecret;
  share?: GuardianShare;
}

function storageKey(meetingId: number, deployment = ''): string {
  return `${deployment}/meeting/${meetingId}`;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined';
}

export async function saveGuardian(meetingId: number, value: StoredGuardian, deployment = ''): Promise<void> {
  const key = storageKey(meetingId, deployment);
  if (!hasIndexedDb()) {
    localStorage.setItem(`${DB}:${key}`, JSON.stringify(value));
    return;
  }
  await withStore('readwrite', (store) => store.put(JSON.stringify(value), key));
}

export async function loadGuardian(meetingId: number, deployment = ''): Promise<StoredGuardian | null> {
  const key = storageKey(meetingId, deployment);
  const raw = hasIndexedDb()
    ? await withStore<string | undefined>('readonly', (store) => store.get(key) as IDBRequest<string | undefined>)
    : localStorage.getItem(`${DB}:${key}`);
  return raw ? (JSON.parse(raw) as StoredGuardian) : null;
}

export async function forgetGuardian(meetingId: number, deployment = ''): Promise<void> {
  const key = storageKey(meetingId, deployment);
  if (!hasIndexedDb()) {
    localStorage.removeItem(`${DB}:${key}`);
    return;
  }
  await withStore('readwrite', (store) => store.delete(key));
}
