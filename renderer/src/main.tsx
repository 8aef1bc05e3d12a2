import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { Connection } from './api/connect';
import { connect } from './api/connect';
import './styles.css';

function Root({ connection }: { connection: Connection }) {
  const [disconnected, setDisconnected] = useState<string | null>(null);
  useEffect(() => (connection.transport === 'browser' ? connection.api.onDisconnect(setDisconnected) : undefined), [connection]);
  return <App api={connection.api} disconnected={disconnected} />;
}

const connection = connect();
// Uncaught renderer errors go to the app's log in Electron; the browser bridge has no log channel.
window.addEventListener('error', (event) => connection.api.log?.('error', `renderer: ${event.message}`));
window.addEventListener('unhandledrejection', (event) => connection.api.log?.('error', `renderer: unhandled rejection: ${String(event.reason)}`));

const container = document.getElementById('root');
if (container !== null) createRoot(container).render(<Root connection={connection} />);
