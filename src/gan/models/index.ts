/**
 * The reference code's networks: toy MLPs, the image GAN families and the character-level language model.
 */
export * from './toy.js';
export * from './mnist.js';
export * from './cifar-dcgan.js';
export * from './cifar-resnet.js';
export * from './lsun64.js';
export * from './language.js';
