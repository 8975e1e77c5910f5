// A read that must find its object: NOT_FOUND, naming what was asked for, when it is absent.
import { notFound } from '../processor/api-error.ts';

export async function mustGet<T>(value: Promise<T | undefined>, what: string): Promise<T> {
  const v = await value;
  if (v === undefined) throw notFound(`${what} was not found.`);
  return v;
}
