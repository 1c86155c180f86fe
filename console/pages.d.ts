declare module 'console:pages' {
  export const pages: Record<string, () => Promise<{ default: import('preact').ComponentType }>>;
}
