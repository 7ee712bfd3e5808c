// The images the integrations run, as Aspire pins them (registry docker.io/library). Offline test
// images with these references are built by .ci/integration-images.sh.
export const REDIS_IMAGE = { image: 'redis', tag: '7.4' } as const;
export const POSTGRES_IMAGE = { image: 'postgres', tag: '17.6' } as const;
export const RABBITMQ_IMAGE = { image: 'rabbitmq', tag: '4.1-management' } as const;

/** The well-known ports the containers listen on. */
export const REDIS_PORT = 6379;
export const POSTGRES_PORT = 5432;
export const AMQP_PORT = 5672;
export const RABBITMQ_MANAGEMENT_PORT = 15672;
