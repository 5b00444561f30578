/**
 * The reference code's networks: toy MLPs and the image GAN families.
 */
export * from './toy.js';
export * from './mnist.js';
export * from './cifar-dcgan.js';
export * from './cifar-resnet.js';
export * from './lsun64.js';
