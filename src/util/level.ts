// The severity words of the manuals, shared by the threshold engine, the store and every view.
export type Level = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
