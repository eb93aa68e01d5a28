# seqcore/_kernels/array_cache.pxi - included by seqcore/_kernels.pyx.
# ---- numpy's data allocator while a model runs (csrc/array_cache.c) ---------

from cpython.pycapsule cimport PyCapsule_New
from libc.string cimport memset, strcpy

cdef extern from "numpy/arrayobject.h":
    ctypedef struct PyDataMemAllocator:
        void *ctx
        void *(*malloc)(void *ctx, size_t size) noexcept nogil
        void *(*calloc)(void *ctx, size_t nelem, size_t elsize) noexcept nogil
        void *(*realloc)(void *ctx, void *ptr, size_t new_size) noexcept nogil
        void (*free)(void *ctx, void *ptr, size_t size) noexcept nogil
    ctypedef struct PyDataMem_Handler:
        char name[127]
        unsigned char version
        PyDataMemAllocator allocator
    object PyDataMem_SetHandler(object handler)


cdef void *_cache_malloc(void *ctx, size_t size) noexcept nogil:
    return sc_array_cache_malloc(size)


cdef void *_cache_calloc(void *ctx, size_t nelem, size_t elsize) noexcept nogil:
    return sc_array_cache_calloc(nelem, elsize)


cdef void *_cache_realloc(void *ctx, void *ptr, size_t size) noexcept nogil:
    return sc_array_cache_realloc(ptr, size)


cdef void _cache_free(void *ctx, void *ptr, size_t size) noexcept nogil:
    sc_array_cache_free(ptr)


cdef PyDataMem_Handler _array_cache_handler
memset(&_array_cache_handler, 0, sizeof(_array_cache_handler))
strcpy(_array_cache_handler.name, b"seqcore_array_cache")
_array_cache_handler.version = 1
_array_cache_handler.allocator.ctx = NULL
_array_cache_handler.allocator.malloc = _cache_malloc
_array_cache_handler.allocator.calloc = _cache_calloc
_array_cache_handler.allocator.realloc = _cache_realloc
_array_cache_handler.allocator.free = _cache_free
_ARRAY_CACHE_CAPSULE = PyCapsule_New(&_array_cache_handler, "mem_handler",
                                     NULL)


def array_cache_use():
    """Make numpy allocate through the array cache in the current context
    (thread or task); returns the previous handler, for
    array_cache_restore."""
    return PyDataMem_SetHandler(_ARRAY_CACHE_CAPSULE)


def array_cache_restore(previous):
    """Give the current context back the handler array_cache_use replaced."""
    PyDataMem_SetHandler(previous)


def array_cache_clear():
    """Return every parked block to the system."""
    sc_array_cache_clear()


def array_cache_set_limit(size_t nbytes):
    """Park at most `nbytes` bytes of freed arrays (0: park none)."""
    sc_array_cache_set_limit(nbytes)


def array_cache_stats():
    """Counts since the process started: large requests served fresh or by
    a parked block, blocks released; bytes parked now and the limit."""
    cdef sc_array_cache_stats s = sc_array_cache_read_stats()
    return {"fresh": s.fresh, "reused": s.reused, "released": s.released,
            "parked_bytes": s.parked_bytes, "limit_bytes": s.limit_bytes}
