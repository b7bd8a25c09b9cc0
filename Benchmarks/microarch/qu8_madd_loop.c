/* The inner loop of the AVX2 int8 GEMM without VNNI (qu8_gemm_4x16c4w__avx2), written out in C
   with three variants, to find what bounds it on a given CPU. Everything is in L1 (K = 576), so
   what is measured is the loop's issue rate, not memory:
     v0  as Sandglass compiled it until 21fe41a: weights as c4 bytes split into 16-bit even/odd by
         three shifts per 8 columns, four rows, two vpmaddwd and two vpaddd per row and 8 columns;
     v1  the weights split at packing instead (no shifts in the loop), as Sandglass does since
         21fe41a (Zen 3: 1.03× v0 here, no gain in the network; Zen 1: 1.11×, 5% in the network);
     v2  v1 with six rows (more products per weight load and per broadcast pair).
   Each variant's outputs are checked against v0's. Prints the best of 40 runs in GMAC/s (one
   multiply-add = one 8-bit product accumulated); multiply by 2 for GOP/s.
   Run: Benchmarks/microarch/run.sh (pins CPU 1). */
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#define KB 144
static int32_t A[8][2*KB] __attribute__((aligned(64)));
static int8_t W[KB*64] __attribute__((aligned(64)));
static int16_t WS[KB*64] __attribute__((aligned(64))); // pre-split: per block: h0 even, h0 odd, h1 even, h1 odd (16 i16 each)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
__attribute__((noinline)) void v0(__m256i *out){ // current: shifts in loop, 4 rows
  __m256i c[4][2]; for(int r=0;r<4;r++){c[r][0]=c[r][1]=_mm256_setzero_si256();}
  for(int i=0;i<KB;i++){
    __m256i w0=_mm256_load_si256((void*)(W+i*64)), w1=_mm256_load_si256((void*)(W+i*64+32));
    __m256i we0=_mm256_srai_epi16(_mm256_slli_epi16(w0,8),8), wo0=_mm256_srai_epi16(w0,8);
    __m256i we1=_mm256_srai_epi16(_mm256_slli_epi16(w1,8),8), wo1=_mm256_srai_epi16(w1,8);
    for(int r=0;r<4;r++){ __m256i e=_mm256_set1_epi32(A[r][2*i]), o=_mm256_set1_epi32(A[r][2*i+1]);
      c[r][0]=_mm256_add_epi32(c[r][0],_mm256_add_epi32(_mm256_madd_epi16(e,we0),_mm256_madd_epi16(o,wo0)));
      c[r][1]=_mm256_add_epi32(c[r][1],_mm256_add_epi32(_mm256_madd_epi16(e,we1),_mm256_madd_epi16(o,wo1)));}
  }
  for(int r=0;r<4;r++){out[2*r]=c[r][0];out[2*r+1]=c[r][1];}
}
#define SPLIT_BODY(R) \
  __m256i c[R][2]; for(int r=0;r<R;r++){c[r][0]=c[r][1]=_mm256_setzero_si256();} \
  for(int i=0;i<KB;i++){ const int16_t*ws=WS+i*64; \
    __m256i we0=_mm256_load_si256((void*)ws), wo0=_mm256_load_si256((void*)(ws+16)); \
    __m256i we1=_mm256_load_si256((void*)(ws+32)), wo1=_mm256_load_si256((void*)(ws+48)); \
    for(int r=0;r<R;r++){ __m256i e=_mm256_set1_epi32(A[r][2*i]), o=_mm256_set1_epi32(A[r][2*i+1]); \
      c[r][0]=_mm256_add_epi32(c[r][0],_mm256_add_epi32(_mm256_madd_epi16(e,we0),_mm256_madd_epi16(o,wo0))); \
      c[r][1]=_mm256_add_epi32(c[r][1],_mm256_add_epi32(_mm256_madd_epi16(e,we1),_mm256_madd_epi16(o,wo1)));} } \
  for(int r=0;r<R;r++){out[2*r]=c[r][0];out[2*r+1]=c[r][1];}
__attribute__((noinline)) void v1(__m256i *out){ SPLIT_BODY(4) }
__attribute__((noinline)) void v2(__m256i *out){ SPLIT_BODY(6) }
typedef void (*fn)(__m256i*);
int main(){
  for(int r=0;r<8;r++)for(int i=0;i<2*KB;i++)A[r][i]=rand()&0x00ff00ff;
  for(int i=0;i<KB*64;i++)W[i]=rand();
  for(int i=0;i<KB;i++)for(int h=0;h<2;h++)for(int l=0;l<8;l++){int col=h*8+l; int8_t*w=W+i*64+col*4;
     int16_t*ws=WS+i*64+h*32; ws[2*l]=w[0]; ws[2*l+1]=w[2]; ws[16+2*l]=w[1]; ws[16+2*l+1]=w[3];}
  __m256i o0[16],o1[16]; v0(o0); v1(o1); if(__builtin_memcmp(o0,o1,256)){printf("MISMATCH v1\n");}
  v2(o1); if(__builtin_memcmp(o0,o1,256)){printf("MISMATCH v2\n");}
  enum { N = 3 };
  fn f[N]={v0,v1,v2}; int rows[N]={4,4,6}; const char*nm[N]={"v0 shifts, 4 rows","v1 split, 4 rows","v2 split, 6 rows"};
  double best[N]={1e9,1e9,1e9}; __m256i o[16];
  for(int rep=0;rep<40;rep++) for(int k=0;k<N;k++){ double t=now(); for(int it=0;it<2000;it++) f[k](o); t=now()-t;
     if(t<best[k])best[k]=t; }
  double g0 = 2000.0*KB*4*16*rows[0]/best[0]/1e9;
  for(int k=0;k<N;k++){double g=2000.0*KB*4*16*rows[k]/best[k]/1e9; printf("%-18s %6.2f GMAC/s  %.3f of v0\n",nm[k],g,g/g0);}
}
