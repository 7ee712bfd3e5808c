// Public surface of the integrations: the Resource specs of redis, postgres and rabbitmq and the
// images they run. The builder (src/builder) wraps them as addRedis / addPostgres / addRabbitMQ.
export * from './images.ts';
export * from './specs.ts';
