import type { ObjectTypeDecl } from '../objects/object-type.js';
import { t } from '../schema/types.js';

/** Where the VM-wide settings live (name, `set-action` policy). */
export const SETTINGS_PATH = '/settings';
/** Where `-global` defaults live, one object per driver.property. */
export const GLOBALS_PATH = '/globals';

const ActionReboot = t.enum('RebootAction', ['reset', 'shutdown'], 'What a guest reset does');
const ActionShutdown = t.enum('ShutdownAction', ['poweroff', 'pause'], 'What a guest poweroff does');
const ActionPanic = t.enum('PanicAction', ['pause', 'shutdown', 'none'], 'What a guest panic does');

/** The abstract roots of the object model and the kernel's own small types. */
export const BASE_TYPES: readonly ObjectTypeDecl[] = [
  { name: 'object', abstract: true, doc: 'The root of every type' },
  { name: 'container', doc: 'A node of the object tree that only groups children' },
  { name: 'user-creatable', abstract: true, doc: 'Interface of types object-add may create' },
  { name: 'device', abstract: true, doc: 'A device: realized when the machine becomes ready, or at once when hot-plugged' },
  { name: 'machine', abstract: true, doc: 'A machine type (board); machine-set creates one at /machine' },
  {
    name: 'vm-settings',
    doc: 'VM-wide settings: the name, the UUID and what guest events do',
    props: {
      name: { type: t.str(), doc: 'The VM name (query-name)', settable: 'always' },
      uuid: { type: t.str(), doc: 'The VM UUID (-uuid, query-uuid)', settable: 'always' },
      reboot: { type: ActionReboot, default: 'reset', doc: 'Guest reset action', settable: 'always' },
      shutdown: { type: ActionShutdown, default: 'poweroff', doc: 'Guest poweroff action', settable: 'always' },
      panic: { type: ActionPanic, default: 'shutdown', doc: 'Guest panic action', settable: 'always' },
    },
  },
  {
    name: 'global-property',
    doc: 'A default property value for every device of a type (-global)',
    props: {
      driver: { type: t.str(), settable: 'create', doc: 'Device type' },
      property: { type: t.str(), settable: 'create', doc: 'Property name' },
      value: { type: t.any(), settable: 'create', doc: 'Value' },
    },
  },
];

export { ActionPanic, ActionReboot, ActionShutdown };
