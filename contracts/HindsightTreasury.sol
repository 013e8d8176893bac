// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title Hindsight community treasury
/// @notice Holds a community's ERC-20. Members deposit (the node credits the sender's did:pkh in the
/// game's log); the admin publishes a Merkle root of cumulative claimable amounts whenever the
/// ledger moved money out (each root is a new epoch), and each account claims the difference since
/// its last claim. Tokens leave this contract only through `claim`: the admin can publish roots,
/// pause and anchor, never transfer.
contract HindsightTreasury {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    address public immutable admin;
    /// @notice Seconds a published root stays claimable; later claims revert and the node returns
    /// what was left unclaimed to the community's ledger treasury.
    uint64 public immutable claimWindow;

    /// @notice Root of the StandardMerkleTree of (address account, uint256 cumulative).
    bytes32 public root;
    // One storage slot: a claim reads all four with one SLOAD.
    uint64 public rootEpoch;
    uint64 public deadline;
    uint64 public anchorCount;
    bool public paused;

    /// @dev Cumulative amount paid to each account, plus one once the account has deposited or
    /// claimed (0 = never seen). The deposit writes the +1 so that the claim's write is always
    /// nonzero -> nonzero (≈ 5,000 gas) instead of zero -> nonzero (≈ 22,100): the first deposit
    /// pays that cost once, where the depositor already pays for a token transfer.
    mapping(address account => uint256) private paidPlusOne;

    struct Anchor {
        bytes32 stateHash;
        uint64 seq;
    }

    /// @notice The game's state digest at log position `seq` after settling `round`; never rewritten.
    mapping(uint64 round => Anchor) public anchors;

    event Deposited(address indexed from, uint256 amount);
    event RootPublished(uint64 indexed epoch, bytes32 root, uint64 deadline);
    event Claimed(address indexed account, uint256 amount, uint256 cumulative);
    event Anchored(uint64 indexed round, bytes32 stateHash, uint64 seq);
    event PausedSet(bool paused);

    error NotAdmin(address sender);
    error IsPaused();
    error ZeroAmount();
    error StaleEpoch(uint64 epoch, uint64 latest);
    error ClaimWindowClosed(uint64 deadline, uint256 nowTs);
    error InvalidProof();
    error NothingToClaim(uint256 cumulative, uint256 alreadyClaimed);
    error AlreadyAnchored(uint64 round);

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    constructor(IERC20 token_, address admin_, uint64 claimWindow_) {
        token = token_;
        admin = admin_;
        claimWindow = claimWindow_;
    }

    /// @notice Moves `amount` of the token from the sender into the treasury (approve first).
    function deposit(uint256 amount) external {
        if (paused) revert IsPaused();
        if (amount == 0) revert ZeroAmount();
        if (paidPlusOne[msg.sender] == 0) paidPlusOne[msg.sender] = 1;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount);
    }

    /// @notice Cumulative amount paid to `account` so far.
    function claimed(address account) external view returns (uint256) {
        uint256 stored = paidPlusOne[account];
        return stored == 0 ? 0 : stored - 1;
    }

    /// @notice Replaces the root; claims against it are open for `claimWindow` seconds.
    function publishRoot(uint64 epoch, bytes32 newRoot) external onlyAdmin {
        if (epoch <= rootEpoch) revert StaleEpoch(epoch, rootEpoch);
        uint64 until = uint64(block.timestamp) + claimWindow;
        root = newRoot;
        rootEpoch = epoch;
        deadline = until;
        emit RootPublished(epoch, newRoot, until);
    }

    /// @notice Pays the sender `cumulative − claimed[sender]`, proven by a leaf of the current root.
    /// The leaf names the sender, so nobody can claim another account's amount.
    function claim(uint256 cumulative, bytes32[] calldata proof) external {
        if (paused) revert IsPaused();
        if (block.timestamp > deadline) revert ClaimWindowClosed(deadline, block.timestamp);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(msg.sender, cumulative))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();
        uint256 stored = paidPlusOne[msg.sender];
        uint256 already = stored == 0 ? 0 : stored - 1;
        if (cumulative <= already) revert NothingToClaim(cumulative, already);
        paidPlusOne[msg.sender] = cumulative + 1;
        uint256 amount = cumulative - already;
        emit Claimed(msg.sender, amount, cumulative);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Records the game's state digest for a settled round; a round is anchored once.
    function anchor(uint64 round, bytes32 stateHash, uint64 seq) external onlyAdmin {
        if (anchors[round].stateHash != bytes32(0)) revert AlreadyAnchored(round);
        anchors[round] = Anchor(stateHash, seq);
        anchorCount += 1;
        emit Anchored(round, stateHash, seq);
    }

    function setPaused(bool value) external onlyAdmin {
        paused = value;
        emit PausedSet(value);
    }
}
