// The provider stack around the App: terminal size, the second ticker and the store. Tests
// render this with a fixed size, a stopped clock and a store they filled themselves.
import type { OpsStore } from '../state/store.js';
import { ActionProvider } from './actions/action-context.js';
import type { ActionController } from '../app/console/action-controller.js';
import { App, type AppProps } from './app.js';
import { BackupsProvider } from './backups/context.js';
import type { BackupsController } from '../app/console/backups-controller.js';
import { ClockProvider, type Clock } from './clock.js';
import { SizeProvider, type SizeSource } from './size.js';
import { StoreProvider } from './store-context.js';

export interface ConsoleRootProps extends AppProps {
  store: OpsStore;
  size: SizeSource;
  clock: Clock;
  /** Actions, arming and log tails; without one the console only watches. */
  actions?: ActionController | null;
  /** The Backups view's catalog, drills and restore walkthrough; without one the view says so. */
  backups?: BackupsController | null;
}

/** The console with everything it reads injected. */
export function ConsoleRoot({ store, size, clock, actions = null, backups = null, ...app }: ConsoleRootProps) {
  return (
    <SizeProvider source={size}>
      <ClockProvider clock={clock}>
        <StoreProvider store={store}>
          <ActionProvider controller={actions}>
            <BackupsProvider controller={backups}>
              <App {...app} />
            </BackupsProvider>
          </ActionProvider>
        </StoreProvider>
      </ClockProvider>
    </SizeProvider>
  );
}
