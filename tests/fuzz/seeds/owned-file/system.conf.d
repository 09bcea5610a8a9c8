[Manager]
DefaultLimitNOFILE=4096:524288
