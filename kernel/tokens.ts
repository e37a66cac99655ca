/** Injection tokens for the kernel's own services; a token and the interface it stands for share a name. */
export const Tokens = {
  CommandRegistry: 'CommandRegistry',
  TypeRegistry: 'TypeRegistry',
  ObjectTree: 'ObjectTree',
  EventBus: 'EventBus',
  HostBroker: 'HostBroker',
  PhaseMachine: 'PhaseMachine',
  CommandLogStore: 'CommandLogStore',
  Dispatcher: 'Dispatcher',
  KernelOptions: 'KernelOptions',
  TransportRegistry: 'TransportRegistry',
  Sandbox: 'Sandbox',
} as const;
