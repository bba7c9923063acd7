// dump-tensors: runs prompt token ids through llama.cpp (as greedy-ids does: one batch for the
// prompt, then optionally single-token decode steps) and writes every F32/F16 tensor of the compute
// graphs as raw little-endian float32, for comparing Sotto's intermediate values with llama.cpp's.
//
// Usage: dump-tensors -m MODEL.gguf [-t THREADS] [-n N_CTX_EXTRA] -o OUTDIR IDS [NEXT_ID...]
//
//   IDS      the prompt as comma-separated token ids (decoded in one batch, logits for the last)
//   NEXT_ID  tokens then decoded one at a time (the decode path)
//
// OUTDIR/index.tsv lists, one tensor a line: file, graph step (0 = prompt), name (e.g. Qcur-3),
// op, type, ne0..ne3. Each file holds ne0·ne1·ne2·ne3 floats in logical order (ne0 fastest), copied
// through the tensor's strides, so views and permutations come out as the graph sees them.
#include "llama.h"
#include "ggml.h"
#include "ggml-backend.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct dump_state {
    std::string dir;
    int step = 0;
    int seq = 0;
    FILE * index = nullptr;
};

static void quiet_log(enum ggml_log_level level, const char * text, void *) {
    if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

static bool on_tensor(struct ggml_tensor * t, bool ask, void * user) {
    auto * st = (dump_state *) user;
    if (ask) return true;  // see every tensor
    if (t->type != GGML_TYPE_F32 && t->type != GGML_TYPE_F16) return true;
    const size_t bytes = ggml_nbytes(t);
    std::vector<char> raw(bytes);
    ggml_backend_tensor_get(t, raw.data(), 0, bytes);
    // ggml_nbytes covers the strided extent; index into raw with the tensor's strides.
    const int64_t n = ggml_nelements(t);
    std::vector<float> out((size_t) n);
    size_t k = 0;
    for (int64_t i3 = 0; i3 < t->ne[3]; i3++)
    for (int64_t i2 = 0; i2 < t->ne[2]; i2++)
    for (int64_t i1 = 0; i1 < t->ne[1]; i1++)
    for (int64_t i0 = 0; i0 < t->ne[0]; i0++) {
        const size_t off = i0 * t->nb[0] + i1 * t->nb[1] + i2 * t->nb[2] + i3 * t->nb[3];
        if (t->type == GGML_TYPE_F32) {
            float v;
            memcpy(&v, raw.data() + off, 4);
            out[k++] = v;
        } else {
            ggml_fp16_t h;
            memcpy(&h, raw.data() + off, 2);
            out[k++] = ggml_fp16_to_fp32(h);
        }
    }
    char file[64];
    snprintf(file, sizeof file, "%d-%04d.f32", st->step, st->seq++);
    FILE * f = fopen((st->dir + "/" + file).c_str(), "wb");
    if (f) {
        fwrite(out.data(), 4, out.size(), f);
        fclose(f);
    }
    fprintf(st->index, "%s\t%d\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\n", file, st->step, t->name, ggml_op_desc(t),
            ggml_type_name(t->type), (long long) t->ne[0], (long long) t->ne[1], (long long) t->ne[2], (long long) t->ne[3]);
    return true;
}

static void batch_set_tokens(llama_batch_ext * batch, const llama_token * tokens, int32_t n_tokens, llama_pos pos_0) {
    llama_batch_ext_clear(batch);
    for (int32_t i = 0; i < n_tokens; ++i) {
        const int32_t idx = llama_batch_ext_add_token(batch, 0, tokens[i]);
        const llama_pos pos = pos_0 + i;
        llama_batch_ext_set_pos(batch, idx, &pos);
    }
    llama_batch_ext_set_output_logits(batch, n_tokens - 1, true);
}

static std::vector<llama_token> parse_ids(const char * s) {
    std::vector<llama_token> ids;
    while (*s) {
        char * end;
        ids.push_back((llama_token) strtol(s, &end, 10));
        s = *end == ',' ? end + 1 : end;
        if (end == s && *s) break;
    }
    return ids;
}

int main(int argc, char ** argv) {
    std::string model_path, dir;
    int n_threads = 1, extra = 63;
    std::vector<llama_token> prompt, next;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) model_path = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) n_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc) extra = atoi(argv[++i]);
        else if (prompt.empty()) prompt = parse_ids(argv[i]);
        else next.push_back((llama_token) atoi(argv[i]));
    }
    if (model_path.empty() || dir.empty() || prompt.empty()) {
        fprintf(stderr, "usage: %s -m MODEL.gguf [-t THREADS] [-n N_CTX_EXTRA] -o OUTDIR IDS [NEXT_ID...]\n", argv[0]);
        return 2;
    }
    llama_log_set(quiet_log, nullptr);
    llama_backend_init();
    llama_model * model = llama_model_load_from_file(model_path.c_str(), llama_model_default_params());
    if (!model) {
        fprintf(stderr, "dump-tensors: cannot load %s\n", model_path.c_str());
        return 1;
    }
    dump_state st;
    st.dir = dir;
    st.index = fopen((dir + "/index.tsv").c_str(), "w");
    if (!st.index) {
        fprintf(stderr, "dump-tensors: cannot write in %s\n", dir.c_str());
        return 1;
    }
    llama_context_params cparams = llama_context_default_params();
    cparams.n_ctx = (uint32_t) prompt.size() + extra;
    cparams.n_batch = (uint32_t) prompt.size();
    cparams.n_threads = n_threads;
    cparams.n_threads_batch = n_threads;
    cparams.cb_eval = on_tensor;
    cparams.cb_eval_user_data = &st;
    llama_context * ctx = llama_init_from_model(model, cparams);
    if (!ctx) {
        fprintf(stderr, "dump-tensors: cannot create a context\n");
        return 1;
    }
    llama_batch_ext * batch = llama_batch_ext_init(ctx);
    batch_set_tokens(batch, prompt.data(), (int32_t) prompt.size(), 0);
    int pos = 0, n_tokens = (int) prompt.size();
    for (size_t s = 0; s <= next.size(); s++) {
        st.step = (int) s;
        st.seq = 0;
        if (llama_process(ctx, LLAMA_PROCESS_TYPE_DECODE, batch)) {
            fprintf(stderr, "dump-tensors: decode failed\n");
            return 1;
        }
        pos += n_tokens;
        if (s < next.size()) {
            batch_set_tokens(batch, &next[s], 1, pos);
            n_tokens = 1;
        }
    }
    fclose(st.index);
    llama_batch_ext_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
