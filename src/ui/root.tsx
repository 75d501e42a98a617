// The provider stack around the App: terminal size, the second ticker and the store. Tests
// render this with a fixed size, a stopped clock and a store they filled themselves.
import type { OpsStore } from '../state/store.js';
import { App, type AppProps } from './app.js';
import { ClockProvider, type Clock } from './clock.js';
import { SizeProvider, type SizeSource } from './size.js';
import { StoreProvider } from './store-context.js';

export interface ConsoleRootProps extends AppProps {
  store: OpsStore;
  size: SizeSource;
  clock: Clock;
}

/** The console with everything it reads injected. */
export function ConsoleRoot({ store, size, clock, ...app }: ConsoleRootProps) {
  return (
    <SizeProvider source={size}>
      <ClockProvider clock={clock}>
        <StoreProvider store={store}>
          <App {...app} />
        </StoreProvider>
      </ClockProvider>
    </SizeProvider>
  );
}
