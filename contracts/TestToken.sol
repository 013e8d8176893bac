// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @notice Local-chain test token with 6 decimals (one token unit = one ledger micro-unit).
/// Anyone may mint: never deploy it anywhere but a development chain.
contract TestToken is ERC20 {
    constructor() ERC20("Hindsight Test Token", "HTT") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice Local-chain test NFT for token-gated membership. Anyone may mint.
contract TestNFT is ERC721 {
    constructor() ERC721("Hindsight Test NFT", "HTN") {}

    function mint(address to, uint256 id) external {
        _mint(to, id);
    }
}
