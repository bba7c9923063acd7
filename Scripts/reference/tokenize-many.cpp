// tokenize-many: tokenize many strings with llama.cpp's tokenizer in one process.
//
// Usage: tokenize-many MODEL.gguf INPUT.jsonl [--parse-special] [--add-special] > OUT.ids
//
// INPUT.jsonl holds one JSON object per line with a "text" string. For each line, OUT gets one line:
// the token ids, space-separated (an empty line for no tokens). Defaults: add_special=false and
// parse_special=false, i.e. the text is document text: no BOS/EOS added, and "<|im_start|>" written in
// the text stays text. Only the vocabulary is loaded (vocab_only), as llama-tokenize does.
#include "llama.h"
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

static void quiet_log(enum ggml_log_level level, const char * text, void *) {
    if (level == GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
}

int main(int argc, char ** argv) {
    std::string model_path, input_path;
    bool parse_special = false, add_special = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--parse-special") == 0) {
            parse_special = true;
        } else if (strcmp(argv[i], "--add-special") == 0) {
            add_special = true;
        } else if (model_path.empty()) {
            model_path = argv[i];
        } else if (input_path.empty()) {
            input_path = argv[i];
        } else {
            fprintf(stderr, "usage: %s MODEL.gguf INPUT.jsonl [--parse-special] [--add-special]\n", argv[0]);
            return 2;
        }
    }
    if (input_path.empty()) {
        fprintf(stderr, "usage: %s MODEL.gguf INPUT.jsonl [--parse-special] [--add-special]\n", argv[0]);
        return 2;
    }

    llama_log_set(quiet_log, nullptr);
    llama_backend_init();
    llama_model_params mparams = llama_model_default_params();
    mparams.vocab_only = true;
    llama_model * model = llama_model_load_from_file(model_path.c_str(), mparams);
    if (!model) {
        fprintf(stderr, "tokenize-many: cannot load %s\n", model_path.c_str());
        return 1;
    }
    const llama_vocab * vocab = llama_model_get_vocab(model);

    std::ifstream in(input_path, std::ios::binary);
    if (!in) {
        fprintf(stderr, "tokenize-many: cannot open %s\n", input_path.c_str());
        return 1;
    }
    std::string line;
    std::vector<llama_token> ids;
    size_t n = 0;
    while (std::getline(in, line)) {
        if (line.empty()) {
            continue;
        }
        std::string text;
        try {
            text = nlohmann::json::parse(line).at("text").get<std::string>();
        } catch (const std::exception & e) {
            fprintf(stderr, "tokenize-many: line %zu: %s\n", n + 1, e.what());
            return 1;
        }
        ids.resize(text.size() + 8);
        int32_t count = llama_tokenize(vocab, text.data(), (int32_t) text.size(), ids.data(), (int32_t) ids.size(),
                                       add_special, parse_special);
        if (count < 0) {
            ids.resize(-count);
            count = llama_tokenize(vocab, text.data(), (int32_t) text.size(), ids.data(), (int32_t) ids.size(),
                                   add_special, parse_special);
        }
        if (count < 0) {
            fprintf(stderr, "tokenize-many: line %zu: tokenization failed\n", n + 1);
            return 1;
        }
        std::string out;
        for (int32_t i = 0; i < count; i++) {
            if (i) out += ' ';
            out += std::to_string(ids[i]);
        }
        out += '\n';
        fwrite(out.data(), 1, out.size(), stdout);
        n++;
    }
    fprintf(stderr, "tokenize-many: %zu strings\n", n);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
