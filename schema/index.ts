export * from './accounts';
export * from './files';
export * from './uploads';
export * from './trash-versions';
export * from './calendars';
export * from './contacts';
