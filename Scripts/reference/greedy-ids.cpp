// greedy-ids: llama-simple's greedy generation for a list of prompts, with the top-2 logits at every step.
//
// Usage: greedy-ids -m MODEL.gguf [-n N_PREDICT] [-t THREADS] PROMPTS.jsonl > OUT.jsonl
//
// PROMPTS.jsonl holds one {"prompt": "..."} a line. For each prompt this does exactly what
// llama-simple does (examples/simple/simple.cpp): tokenize with add_special=true and parse_special=true,
// a fresh context with n_ctx = n_prompt + n_predict - 1 and n_batch = n_prompt (other parameters at
// llama_context_default_params(): F16 KV cache, flash attention "auto"), decode the prompt in one batch
// with logits for its last token only, then one token at a time, the greedy sampler choosing the
// arg-max, stopping at an end-of-generation token or after n_predict tokens.
//
// Output, one JSON object a line:
//   {"prompt", "prompt_ids", "ids" (generated, without the EOG token), "stop" ("eog" | "length"),
//    "eog_id" (or null), "text" (pieces of "ids" as llama-simple prints them, special tokens rendered;
//    invalid UTF-8 replaced), "text_hex" (the exact bytes), "top2": [[id1, logit1, id2, logit2], ...]
//    one entry per sampling step, including the step that produced the EOG token}
#include "llama.h"
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using json = nlohmann::json;

static void quiet_log(enum ggml_log_level level, const char * text, void *) {
    if (level == GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
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

static std::string hex(const std::string & s) {
    static const char * digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

int main(int argc, char ** argv) {
    std::string model_path, prompts_path;
    int n_predict = 64;
    int n_threads = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
            model_path = argv[++i];
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            n_predict = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            n_threads = atoi(argv[++i]);
        } else if (prompts_path.empty()) {
            prompts_path = argv[i];
        } else {
            prompts_path.clear();
            break;
        }
    }
    if (model_path.empty() || prompts_path.empty() || n_predict < 1) {
        fprintf(stderr, "usage: %s -m MODEL.gguf [-n N_PREDICT] [-t THREADS] PROMPTS.jsonl\n", argv[0]);
        return 2;
    }

    llama_log_set(quiet_log, nullptr);
    llama_backend_init();
    llama_model_params mparams = llama_model_default_params();
    mparams.n_gpu_layers = 99;
    llama_model * model = llama_model_load_from_file(model_path.c_str(), mparams);
    if (!model) {
        fprintf(stderr, "greedy-ids: cannot load %s\n", model_path.c_str());
        return 1;
    }
    const llama_vocab * vocab = llama_model_get_vocab(model);
    const int n_vocab = llama_vocab_n_tokens(vocab);

    std::ifstream in(prompts_path, std::ios::binary);
    if (!in) {
        fprintf(stderr, "greedy-ids: cannot open %s\n", prompts_path.c_str());
        return 1;
    }
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        line_no++;
        if (line.empty()) {
            continue;
        }
        std::string prompt;
        try {
            prompt = json::parse(line).at("prompt").get<std::string>();
        } catch (const std::exception & e) {
            fprintf(stderr, "greedy-ids: line %d: %s\n", line_no, e.what());
            return 1;
        }

        const int n_prompt = -llama_tokenize(vocab, prompt.c_str(), prompt.size(), NULL, 0, true, true);
        std::vector<llama_token> prompt_tokens(n_prompt);
        if (n_prompt <= 0 ||
            llama_tokenize(vocab, prompt.c_str(), prompt.size(), prompt_tokens.data(), prompt_tokens.size(), true, true) < 0) {
            fprintf(stderr, "greedy-ids: line %d: cannot tokenize the prompt\n", line_no);
            return 1;
        }

        llama_context_params cparams = llama_context_default_params();
        cparams.n_ctx = n_prompt + n_predict - 1;
        cparams.n_batch = n_prompt;
        if (n_threads > 0) {
            cparams.n_threads = n_threads;
            cparams.n_threads_batch = n_threads;
        }
        llama_context * ctx = llama_init_from_model(model, cparams);
        if (!ctx) {
            fprintf(stderr, "greedy-ids: cannot create a context\n");
            return 1;
        }
        llama_sampler * smpl = llama_sampler_chain_init(llama_sampler_chain_default_params());
        llama_sampler_chain_add(smpl, llama_sampler_init_greedy());

        llama_batch_ext * batch = llama_batch_ext_init(ctx);
        int n_tokens = n_prompt;
        batch_set_tokens(batch, prompt_tokens.data(), n_prompt, 0);

        std::vector<llama_token> generated;
        json top2 = json::array();
        std::string text;
        std::string stop = "length";
        json eog_id = nullptr;
        for (int n_pos = 0; n_pos + n_tokens < n_prompt + n_predict; ) {
            if (llama_process(ctx, LLAMA_PROCESS_TYPE_DECODE, batch)) {
                fprintf(stderr, "greedy-ids: line %d: decode failed\n", line_no);
                return 1;
            }
            n_pos += n_tokens;

            const float * logits = llama_get_logits_ith(ctx, -1);
            int best = -1, second = -1;
            for (int v = 0; v < n_vocab; v++) {
                if (best < 0 || logits[v] > logits[best]) {
                    second = best;
                    best = v;
                } else if (second < 0 || logits[v] > logits[second]) {
                    second = v;
                }
            }
            top2.push_back({best, logits[best], second, logits[second]});

            const llama_token id = llama_sampler_sample(smpl, ctx, -1);
            if (id != best) {
                fprintf(stderr, "greedy-ids: line %d: sampler chose %d, arg-max is %d\n", line_no, id, best);
            }
            if (llama_vocab_is_eog(vocab, id)) {
                stop = "eog";
                eog_id = id;
                break;
            }
            char buf[256];
            const int n = llama_token_to_piece(vocab, id, buf, sizeof(buf), 0, true);
            if (n < 0) {
                fprintf(stderr, "greedy-ids: cannot render token %d\n", id);
                return 1;
            }
            text.append(buf, n);
            generated.push_back(id);
            batch_set_tokens(batch, &id, 1, n_pos);
            n_tokens = 1;
        }

        json out = {
            {"prompt", prompt},
            {"prompt_ids", prompt_tokens},
            {"ids", generated},
            {"stop", stop},
            {"eog_id", eog_id},
            {"text", text},
            {"text_hex", hex(text)},
            {"top2", top2},
        };
        const std::string s = out.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
        fwrite(s.data(), 1, s.size(), stdout);
        fflush(stdout);
        fprintf(stderr, "greedy-ids: prompt %d: %d prompt tokens, %zu generated (%s)\n", line_no, n_prompt,
                generated.size(), stop.c_str());

        llama_batch_ext_free(batch);
        llama_sampler_free(smpl);
        llama_free(ctx);
    }
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
