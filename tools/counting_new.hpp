// Replaces every allocating form of the global operator new (plain, array, nothrow) and every
// delete over malloc/free, calling `note_allocation()` for each allocation, so that a program can
// count its heap allocations. Every form is replaced: one left to the library (or to a
// sanitizer's runtime) would allocate in a way these deletes do not pair with.
//
// Include it in exactly one file of a program (it defines the replacements), and define
// `void note_allocation();` there. Used by tools/bench.cpp and tests/alloc.
#pragma once

#include <cstdlib>
#include <new>

void note_allocation();

void* operator new(std::size_t size) {
  note_allocation();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  note_allocation();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return ::operator new(size, std::nothrow);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
