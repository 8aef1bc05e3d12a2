import { createRoot } from 'react-dom/client';

// NOTE: placeholder until the inspector UI lands; it only proves the renderer build works.
const container = document.getElementById('root');
if (container !== null) createRoot(container).render(<p>Hooktray</p>);
