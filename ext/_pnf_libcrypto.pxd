# OpenSSL libcrypto declarations shared by the compiled twins (``cimport _pnf_libcrypto``).
#
# Bare-named on purpose: a .pxd named like its module next to ext/_x_c.pyx is silently ignored
# when the module is pubnub_fast._x_c, so shared externs live here and setup.py passes
# include_path=["ext"]. Headers: Debian/Ubuntu libssl-dev (OpenSSL 1.1.1 or 3.x); link -lcrypto.
#
# Only functions present in both OpenSSL 1.1.1 and 3.x are declared. All are nogil: none of them
# touch Python objects. Return conventions are OpenSSL's (1 = success for EVP_*/HMAC_*/RAND_*).

cdef extern from "openssl/opensslv.h":
    long OPENSSL_VERSION_NUMBER

cdef extern from "openssl/evp.h" nogil:
    # --- opaque types ---
    ctypedef struct ENGINE:
        pass
    ctypedef struct EVP_CIPHER:
        pass
    ctypedef struct EVP_CIPHER_CTX:
        pass
    ctypedef struct EVP_MD:
        pass
    ctypedef struct EVP_MD_CTX:
        pass

    enum:
        EVP_MAX_MD_SIZE
        EVP_MAX_KEY_LENGTH
        EVP_MAX_IV_LENGTH
        EVP_MAX_BLOCK_LENGTH

    # --- symmetric ciphers ---
    const EVP_CIPHER *EVP_aes_128_cbc()
    const EVP_CIPHER *EVP_aes_256_cbc()
    const EVP_CIPHER *EVP_aes_256_gcm()

    EVP_CIPHER_CTX *EVP_CIPHER_CTX_new()
    void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX *ctx)
    int EVP_CIPHER_CTX_reset(EVP_CIPHER_CTX *ctx)
    int EVP_CIPHER_CTX_set_padding(EVP_CIPHER_CTX *ctx, int padding)

    int EVP_CipherInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl,
                          const unsigned char *key, const unsigned char *iv, int enc)
    int EVP_CipherUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl,
                         const unsigned char *in_, int inl)
    int EVP_CipherFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *outm, int *outl)

    int EVP_EncryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl,
                           const unsigned char *key, const unsigned char *iv)
    int EVP_EncryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl,
                          const unsigned char *in_, int inl)
    int EVP_EncryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl)
    int EVP_DecryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl,
                           const unsigned char *key, const unsigned char *iv)
    int EVP_DecryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl,
                          const unsigned char *in_, int inl)
    int EVP_DecryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *outm, int *outl)

    # --- message digests ---
    const EVP_MD *EVP_sha1()
    const EVP_MD *EVP_sha256()
    int EVP_MD_size(const EVP_MD *md)  # a macro over EVP_MD_get_size() in 3.x
    EVP_MD_CTX *EVP_MD_CTX_new()
    void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
    int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)
    int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)
    int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
    int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                   const EVP_MD *type, ENGINE *impl)

    # --- base64 (no line breaks; EVP_EncodeBlock NUL-terminates, EVP_DecodeBlock is lenient) ---
    int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n)
    int EVP_DecodeBlock(unsigned char *t, const unsigned char *f, int n)

cdef extern from "openssl/hmac.h" nogil:
    ctypedef struct HMAC_CTX:
        pass

    # One-shot HMAC (not deprecated in 3.x). Returns md, or NULL on error.
    unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                        const unsigned char *d, size_t n, unsigned char *md,
                        unsigned int *md_len)

    # Streaming HMAC (deprecated in 3.0 in favour of EVP_MAC, still available).
    HMAC_CTX *HMAC_CTX_new()
    void HMAC_CTX_free(HMAC_CTX *ctx)
    int HMAC_Init_ex(HMAC_CTX *ctx, const void *key, int key_len, const EVP_MD *md, ENGINE *impl)
    int HMAC_Update(HMAC_CTX *ctx, const unsigned char *data, size_t len)
    int HMAC_Final(HMAC_CTX *ctx, unsigned char *md, unsigned int *len)

cdef extern from "openssl/sha.h" nogil:
    enum:
        SHA256_DIGEST_LENGTH

cdef extern from "openssl/rand.h" nogil:
    # Fills buf from OpenSSL's CSPRNG (fork-safe); returns 1 on success.
    int RAND_bytes(unsigned char *buf, int num)

cdef extern from "openssl/crypto.h" nogil:
    int CRYPTO_memcmp(const void *a, const void *b, size_t len)

cdef extern from "openssl/err.h" nogil:
    unsigned long ERR_get_error()
    void ERR_clear_error()
    void ERR_error_string_n(unsigned long e, char *buf, size_t len)
