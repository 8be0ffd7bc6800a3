# Pattern from tkipf/gcn@39a4089fe72ad9f055ed6fdb9746abdcfebc4d81 gcn/layers.py:30-35 (a dot helper that multiplies
# a sparse adjacency with tf.sparse_tensor_dense_matmul, TF1's name) and gcn/train.py:12-13 (TF1 seeding).
import numpy as np
import tensorflow as tf

np.random.seed(123)
tf.set_random_seed(123)


def dot(x, y, sparse=False):
    if sparse:
        return tf.sparse_tensor_dense_matmul(x, y)
    return tf.matmul(x, y)
